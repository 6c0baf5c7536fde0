/**
 * Runway's `traffic_shaping` (TrafficShapingConfig), at the top level and per route. Only the
 * route's `adaptive_concurrency` is active (its shape lives with the active parts in
 * schema-parts.ts and is taken from there, so both levels accept the same keys); throttle,
 * bandwidth, priority, fault_injection, request_queue and the top-level block are accepted
 * with Runway's keys and the ranges Runway's validators check, and reported as not active.
 * @module
 */
import { z } from 'zod'
import { count, percentage, stringList, stringMap } from './schema-later.ts'
import { activeTrafficShaping, duration, strict } from './schema-parts.ts'

/** 1 = highest, 10 = lowest (Runway's PriorityConfig). */
const level = z.number().int().min(1).max(10)

const throttle = strict({
  enabled: z.boolean().optional(),
  rate: count.optional(),
  burst: count.optional(),
  max_wait: duration.optional(),
  per_ip: z.boolean().optional(),
}).refine((t) => t.enabled !== true || (t.rate ?? 0) > 0, { message: 'rate must be > 0 when enabled', path: ['rate'] })

const bandwidth = strict({
  enabled: z.boolean().optional(),
  request_rate: count.optional(),
  response_rate: count.optional(),
  request_burst: count.optional(),
  response_burst: count.optional(),
})

const priority = strict({
  enabled: z.boolean().optional(),
  max_concurrent: count.optional(),
  max_wait: duration.optional(),
  default_level: level.optional(),
  levels: z.array(strict({ level, headers: stringMap.optional(), client_ids: stringList.optional() })).optional(),
})

const faultInjection = strict({
  enabled: z.boolean().optional(),
  delay: strict({ percentage: percentage.optional(), duration: duration.optional() }).optional(),
  abort: strict({ percentage: percentage.optional(), status_code: z.number().int().min(100).max(599).optional() }).optional(),
})

const requestQueue = strict({ enabled: z.boolean().optional(), max_depth: count.optional(), max_wait: duration.optional() })

const inactiveParts = {
  throttle: throttle.optional(),
  bandwidth: bandwidth.optional(),
  priority: priority.optional(),
  fault_injection: faultInjection.optional(),
  request_queue: requestQueue.optional(),
}

/** routes[].traffic_shaping. */
export const routeTrafficShaping = strict({ ...activeTrafficShaping, ...inactiveParts })

/** traffic_shaping at the top level: Runway's defaults for every route; none active here. */
export const globalTrafficShaping = strict({ ...activeTrafficShaping, ...inactiveParts })
