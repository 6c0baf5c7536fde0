/**
 * Building blocks of the config schema: strict objects with "did you mean" hints,
 * Go-style durations, and the blocks accepted now whose features arrive later.
 * @module
 */
import { z } from 'zod'
import { parseDuration } from './duration.ts'
import { ALWAYS, checkAliases } from './schema-alias.ts'
import { closest } from './suggest.ts'
import type { AdaptiveConcurrencyConfig, OutlierDetectionConfig } from './types.ts'

const OUTLIER_ALIASES = { base_ejection_duration: 'base_ejection_time', max_ejection_duration: 'max_ejection_time' }
const ADAPTIVE_ALIASES = { min_concurrency: 'min_limit', max_concurrency: 'max_limit' }

/** A strict object: unknown keys are errors naming the closest known key. */
export function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape)
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return undefined
      return iss.keys
        .map((k) => {
          const hint = closest(k, known)
          return `unknown key "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}`
        })
        .join('; ')
    },
  })
}

/** Go-style duration string (or a number of ms) → milliseconds. */
export const duration = z.union([z.string(), z.number().nonnegative()], { error: 'must be a duration such as 250ms, 30s or 1h30m' }).transform((v, ctx) => {
  if (typeof v === 'number') return v
  try {
    return parseDuration(v)
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: v })
    return z.NEVER
  }
})

export const regexString = z.string().refine(
  (s) => {
    try {
      new RegExp(s)
      return true
    } catch {
      return false
    }
  },
  { message: 'is not a valid regular expression' },
)

export const LOAD_BALANCERS = [
  'round_robin',
  'least_conn',
  'least_response_time',
  'consistent_hash',
  'random',
  'p2c',
  'ip_hash',
  'maglev',
] as const

export const valueMatch = strict({
  name: z.string().min(1),
  value: z.string().optional(),
  present: z.boolean().optional(),
  regex: regexString.optional(),
}).refine((m) => [m.value, m.present, m.regex].filter((v) => v !== undefined).length === 1, {
  message: 'needs exactly one of value, present, regex',
})

export const headerTransform = strict({
  add: z.record(z.string(), z.string()).default({}),
  set: z.record(z.string(), z.string()).default({}),
  remove: z.array(z.string()).default([]),
})

export const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/, { message: 'must be host:port, :port or [v6]:port' })

export const consistentHash = strict({
  key: z.enum(['header', 'cookie', 'path', 'ip']).default('ip'),
  header_name: z.string().min(1).optional(),
  cookie_name: z.string().min(1).optional(),
  replicas: z.number().int().min(1).max(10_000).default(150),
})
  .refine((c) => c.key !== 'header' || c.header_name !== undefined, { message: 'key: header needs header_name', path: ['header_name'] })
  .refine((c) => c.key !== 'cookie' || c.cookie_name !== undefined, { message: 'key: cookie needs cookie_name', path: ['cookie_name'] })

/** `200`, `2xx`, `200-299` (numbers allowed too): checked once here, compiled in the core. */
const STATUS_PATTERN = /^([1-5]\d\d|[1-5]xx|[1-5]\d\d-[1-5]\d\d)$/

/** Runway `health_check`; every key optional so global → upstream merging can tell what was set. */
export const healthCheck = strict({
  type: z.enum(['http', 'tcp']).optional(),
  path: z.string().startsWith('/').optional(),
  method: z.string().optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  healthy_after: z.number().int().min(1).optional(),
  unhealthy_after: z.number().int().min(1).optional(),
  expected_status: z
    .array(z.union([z.number().int(), z.string()]).transform(String))
    .refine((list) => list.every((p) => STATUS_PATTERN.test(p)), { message: 'each entry must be like 200, 2xx or 200-299' })
    .optional(),
})

export const backend = strict({
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).refine(
    (u) => {
      // zod runs refinements after a failed format check too: an invalid URL is reported once, above.
      if (!URL.canParse(u)) return true
      const p = new URL(u)
      return p.search === '' && p.hash === ''
    },
    { message: 'must not have a query or fragment' },
  ),
  weight: z.number().int().min(1).default(1),
  /** Per-backend overrides, merged last: global → upstream → route → backend. */
  health_check: healthCheck.optional(),
})

/** Passive outlier detection: Runway's keys, Envoy's `consecutive_errors` (portico). */
export const outlierDetection = strict({
  enabled: z.boolean().default(true),
  consecutive_errors: z.number().int().min(1).default(5),
  /** Eject when errors / exchanges in `window` reach this (with at least `min_requests`). */
  error_rate_threshold: z.number().gt(0).max(1).optional(),
  min_requests: z.number().int().min(1).default(20),
  window: duration.default(10_000),
  base_ejection_duration: duration.optional(),
  max_ejection_duration: duration.optional(),
  /** Portico's earlier names of the two above. */
  base_ejection_time: duration.optional(),
  max_ejection_time: duration.optional(),
  max_ejection_percent: z.number().min(0).max(100).default(50),
})
  .superRefine(checkAliases(OUTLIER_ALIASES), ALWAYS)
  .transform(({ base_ejection_time, max_ejection_time, ...o }): OutlierDetectionConfig => ({
    ...o,
    base_ejection_duration: o.base_ejection_duration ?? base_ejection_time ?? 30_000,
    max_ejection_duration: o.max_ejection_duration ?? max_ejection_time ?? 300_000,
  }))

/** Runway `retry_policy`. Non-idempotent methods are retried only when listed here. */
export const retryPolicy = strict({
  max_retries: z.number().int().min(0).max(10).default(0),
  initial_backoff: duration.default(25),
  max_backoff: duration.default(1000),
  backoff_multiplier: z.number().min(1).default(2),
  retryable_statuses: z.array(z.number().int().min(500).max(599)).default([502, 503, 504]),
  retryable_methods: z.array(z.string()).default(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
  per_try_timeout: duration.optional(),
  /** Floor of concurrent retries, then in-flight and windowed ratios (src/resilience/retry-budget.ts). */
  budget: strict({
    ratio: z.number().min(0).max(10).default(0.2),
    min_retries: z.number().int().min(0).default(3),
    window: duration.default(10_000),
  }).default({ ratio: 0.2, min_retries: 3, window: 10_000 }),
  max_replay_bytes: z.number().int().min(0).default(65_536),
  hedging: strict({
    enabled: z.boolean().default(false),
    max_requests: z.number().int().min(2).max(5).default(2),
    delay: duration.default(100),
  }).optional(),
}).refine((r) => !(r.hedging?.enabled && r.max_retries > 0), {
  message: 'hedging is exclusive with max_retries > 0 (set one of them)',
  path: ['hedging'],
})

/** Runway `circuit_breaker`. */
export const circuitBreaker = strict({
  enabled: z.boolean().default(true),
  failure_threshold: z.number().int().min(1).default(5),
  /** Also open when failures / requests in `window` reach this (with at least `min_requests`). */
  error_rate_threshold: z.number().gt(0).max(1).optional(),
  min_requests: z.number().int().min(1).default(20),
  window: duration.default(10_000),
  max_requests: z.number().int().min(1).default(1),
  timeout: duration.default(30_000),
  mode: z.enum(['local', 'distributed']).default('local'),
})

export const trafficSplitGroup = strict({
  name: z.string().min(1),
  weight: z.number().min(0).default(1),
  backends: z.array(backend).min(1),
  match_headers: z.record(z.string(), z.string()).default({}),
})

const cookieName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, { message: 'is not a valid cookie name' })

export const sessionAffinity = strict({
  enabled: z.boolean().default(true),
  cookie_name: cookieName.default('portico_affinity'),
  ttl: duration.default(3_600_000),
})

/** Runway `traffic_shaping.adaptive_concurrency`; `min_limit`/`max_limit` are Portico's earlier names. */
const adaptiveConcurrency = strict({
  enabled: z.boolean().default(true),
  min_concurrency: z.number().int().min(1).optional(),
  max_concurrency: z.number().int().min(1).optional(),
  min_limit: z.number().int().min(1).optional(),
  max_limit: z.number().int().min(1).optional(),
  initial_limit: z.number().int().min(1).default(20),
  latency_tolerance: z.number().min(1).default(2),
  decrease_ratio: z.number().gt(0).lt(1).default(0.9),
})
  .superRefine(checkAliases(ADAPTIVE_ALIASES), ALWAYS)
  .transform(({ min_limit, max_limit, ...a }): AdaptiveConcurrencyConfig => ({
    ...a,
    min_concurrency: a.min_concurrency ?? min_limit ?? 1,
    max_concurrency: a.max_concurrency ?? max_limit ?? 1000,
  }))
  .refine((a) => a.min_concurrency <= a.max_concurrency, { message: 'min_concurrency must not exceed max_concurrency', path: ['min_concurrency'] })

/**
 * Runway `sticky`: pins a client to one `traffic_split` group, not to a backend (Runway docs,
 * traffic-routing/traffic-management.md "Sticky Sessions"; its validators.go for the rules).
 */
export const sticky = strict({
  enabled: z.boolean().default(true),
  mode: z.enum(['cookie', 'header', 'hash']).optional(),
  cookie_name: cookieName.default('X-Traffic-Group'),
  hash_key: z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, { message: 'is not a header name' }).optional(),
  ttl: duration.default(86_400_000),
}).superRefine((s, ctx) => {
  if (!s.enabled) return
  if (s.mode === undefined) ctx.addIssue({ code: 'custom', path: ['mode'], message: 'is required: cookie, header or hash' })
  else if (s.mode !== 'cookie' && s.hash_key === undefined) {
    ctx.addIssue({ code: 'custom', path: ['hash_key'], message: `is required for mode: ${s.mode} (the request header whose value picks the group)` })
  }
})

/** A route-level rule of `sticky`: it pins to a split group, so the route needs `traffic_split`. */
export function checkSticky(route: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const s = route.sticky as { enabled?: unknown } | undefined
  if (s === undefined || s === null || s.enabled === false || route.traffic_split !== undefined) return
  const message = 'needs traffic_split: sticky pins a client to a split group (session_affinity pins it to a backend)'
  ctx.addIssue({ code: 'custom', path: ['sticky'], message })
}

/** Runway `traffic_shaping` (only `adaptive_concurrency` is active). */
/** The active part of `traffic_shaping`; the others are in schema-later-shaping.ts. */
export const activeTrafficShaping = { adaptive_concurrency: adaptiveConcurrency.optional() }
