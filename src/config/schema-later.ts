/**
 * Blocks accepted for Runway compatibility whose features are not active yet: each takes
 * every key of Runway's struct (config/config.go) with its type, and the enums and ranges
 * Runway's validators check, so a typo is an error now rather than when the feature lands.
 * Values are kept as written (no defaults: Runway's own default for every `enabled` is off).
 * `inactiveFeatures()` reports each one present. Protocol blocks: schema-later-protocol.ts;
 * traffic shaping: schema-later-shaping.ts; transport, registry, ai: schema-later-infra.ts.
 * @module
 */
import { z } from 'zod'
import { duration, healthCheck, regexString, strict } from './schema-parts.ts'

/** Accepted as is; the feature is not active yet (listed at startup). */
export const later = z.unknown()

export const stringList = z.array(z.string())
export const stringMap = z.record(z.string(), z.string())
/** Go `int` ≥ 0: Runway's YAML decoding refuses a fraction. */
export const count = z.number().int().min(0)
export const percentage = z.number().int().min(0).max(100)
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
export const httpMethods = z.array(z.string().regex(HTTP_TOKEN, { message: 'is not an HTTP method' }))

/** Runway's BackendConfig where the backend is not proxied over HTTP by Portico (tcp://, udp://, mirrors). */
export const laterBackend = strict({ url: z.string().min(1), weight: count.optional(), health_check: healthCheck.optional() })

/** Runway's ProtocolTLSConfig (protocol translation): enabled needs ca_file, as Runway checks. */
export const clientTls = strict({
  enabled: z.boolean().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  ca_file: z.string().optional(),
}).refine((t) => t.enabled !== true || (t.ca_file ?? '') !== '', { message: 'tls enabled needs ca_file', path: ['ca_file'] })

/** routes[].service, upstreams.*.service: service-discovery target. */
export const service = strict({ name: z.string().min(1), tags: stringList.optional() })

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

/** listeners[].tcp (TCPListenerConfig). */
export const listenerTcp = strict({
  sni_routing: z.boolean().optional(),
  connect_timeout: duration.optional(),
  idle_timeout: duration.optional(),
  proxy_protocol: z.boolean().optional(),
})

/** listeners[].udp (UDPListenerConfig). */
export const listenerUdp = strict({
  session_timeout: duration.optional(),
  read_buffer_size: count.optional(),
  write_buffer_size: count.optional(),
})

/** routes[].cache (CacheConfig); Runway checks mode and the bucket name. */
export const cache = strict({
  enabled: z.boolean().optional(),
  ttl: duration.optional(),
  max_size: count.optional(),
  max_body_size: count.optional(),
  key_headers: stringList.optional(),
  methods: httpMethods.optional(),
  mode: z.enum(['local', 'distributed']).optional(),
  conditional: z.boolean().optional(),
  bucket: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'must be letters, digits, hyphens and underscores' }).optional(),
  stale_while_revalidate: duration.optional(),
  stale_if_error: duration.optional(),
  tag_headers: z.array(z.string().min(1)).optional(),
  tags: z.array(z.string().min(1)).optional(),
})

/** routes[].compression (CompressionConfig): level 0-11 as Runway checks. */
export const compression = strict({
  enabled: z.boolean().optional(),
  level: z.number().int().min(0).max(11).optional(),
  min_size: count.optional(),
  content_types: stringList.optional(),
  // Runway: gzip, br, zstd; deflate is accepted too (Portico's own contract lists it).
  algorithms: z.array(z.enum(['gzip', 'br', 'deflate', 'zstd'])).optional(),
})

/** routes[].mirror (MirrorConfig): inline backends or a named upstream, not both. */
export const mirror = strict({
  enabled: z.boolean().optional(),
  backends: z.array(laterBackend).optional(),
  upstream: z.string().min(1).optional(),
  percentage: percentage.optional(),
  conditions: strict({ methods: httpMethods.optional(), headers: stringMap.optional(), path_regex: regexString.optional() }).optional(),
  compare: strict({
    enabled: z.boolean().optional(),
    log_mismatches: z.boolean().optional(),
    detailed_diff: z.boolean().optional(),
    max_body_capture: count.optional(),
    max_mismatches: count.optional(),
    ignore_headers: stringList.optional(),
    ignore_json_fields: z.array(z.string().min(1)).optional(),
  }).optional(),
}).refine((m) => m.upstream === undefined || m.backends === undefined, { message: 'upstream and backends are mutually exclusive', path: ['upstream'] })

/** routes[].coalesce (CoalesceConfig). */
export const coalesce = strict({
  enabled: z.boolean().optional(),
  timeout: duration.optional(),
  key_headers: stringList.optional(),
  methods: httpMethods.optional(),
})
