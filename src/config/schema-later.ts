/**
 * Blocks accepted for Runway compatibility whose features are not active yet (cache,
 * compression, mirror, tcp/udp routes).
 * Where config.md lists the keys, the block is a strict shape so that a typo is still caught
 * now rather than when the feature lands; blocks whose keys are not settled yet (registry,
 * service, ai, …) stay open. `inactiveFeatures()` reports every one of them at startup.
 * @module
 */
import { z } from 'zod'
import { duration, strict } from './schema-parts.ts'

/** Accepted as is; the feature is not active yet (listed at startup). */
export const later = z.unknown()

const stringList = z.array(z.string())
const laterBackend = strict({ url: z.string().min(1), weight: z.number().int().min(0).default(1) })

export const tcpRoute = strict({
  id: z.string().min(1),
  listener: z.string().optional(),
  match: strict({ sni: stringList.optional(), source_cidr: stringList.optional() }).optional(),
  backends: z.array(laterBackend).min(1),
})

export const udpRoute = strict({
  id: z.string().min(1),
  listener: z.string().optional(),
  backends: z.array(laterBackend).min(1),
})

export const cache = strict({
  enabled: z.boolean().default(true),
  ttl: duration.optional(),
  methods: stringList.optional(),
  key_headers: stringList.optional(),
  conditional: z.boolean().optional(),
  stale_while_revalidate: duration.optional(),
  stale_if_error: duration.optional(),
  mode: z.enum(['local', 'distributed']).optional(),
})

export const compression = strict({
  enabled: z.boolean().default(true),
  algorithms: z.array(z.enum(['gzip', 'br', 'deflate', 'zstd'])).optional(),
  min_size: z.number().int().min(0).optional(),
})

export const mirror = strict({
  enabled: z.boolean().default(true),
  backends: z.array(laterBackend).default([]),
  percentage: z.number().min(0).max(100).optional(),
})
