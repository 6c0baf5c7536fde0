/**
 * The config schema (Runway key names; (portico) keys where Runway has none). Output is the
 * `Config` type of types.ts: durations in ms, defaults applied. Keys whose features arrive in
 * later versions are accepted (shapes in schema-later.ts) and reported as inactive at startup.
 * schema-check.ts proves at compile time that the output matches types.ts.
 * @module
 */
import { z } from 'zod'
import {
  LOAD_BALANCERS,
  backend,
  consistentHash,
  duration,
  circuitBreaker,
  healthCheck,
  outlierDetection,
  retryPolicy,
  sessionAffinity,
  checkSticky,
  sticky,
  trafficSplitGroup,
  headerTransform,
  listenAddress,
  regexString,
  strict,
  valueMatch,
} from './schema-parts.ts'
import { cache, coalesce, compression, later, listenerTcp, listenerUdp, mirror, service, tcpRoute, udpRoute } from './schema-later.ts'
import { ai, registry, transport } from './schema-later-infra.ts'
import { grpc, protocol, sse } from './schema-later-protocol.ts'
import { globalTrafficShaping, routeTrafficShaping } from './schema-later-shaping.ts'
import { missingAuthKeys, missingRouteKeys, missingTopKeys } from './schema-missing.ts'
import { ALWAYS, checkAliases } from './schema-alias.ts'
import { checkRetries, checkTargets, foldRetries } from './schema-route-rules.ts'
import { websocket } from './schema-websocket.ts'
import { authentication, cors, ipFilter, routeAuth, securityHeaders, shutdown, tracing } from './schema-policies.ts'
import { STORE_DEFAULTS, checkLimits, cloudflare, quota, rateLimit, redis, spikeArrest, store, upstash } from './schema-limits.ts'
import { checkLogging, logFormat } from './log-format.ts'
import { ACCESS_FIELDS } from './types.ts'
import type { Config } from './types.ts'

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Runway's `hosts` is folded into `server_names` (the name the TLS adapters read). */
const sniCertificate = strict({
  cert_file: z.string().min(1),
  key_file: z.string().min(1),
  hosts: z.array(z.string().min(1)).optional(),
  server_names: z.array(z.string().min(1)).optional(),
})
  .superRefine(checkAliases({ hosts: 'server_names' }), ALWAYS)
  .transform(({ hosts, ...c }) => (hosts === undefined ? c : { ...c, server_names: hosts }))

const adminUi = strict({ enabled: z.boolean().default(true) })

const listener = strict({
  id: z.string().min(1).optional(),
  address: listenAddress,
  protocol: z.enum(['http', 'tcp', 'udp', 'quic']).default('http'),
  tls: strict({
    enabled: z.boolean().default(false),
    cert_file: z.string().optional(),
    key_file: z.string().optional(),
    client_ca_file: z.string().optional(),
    client_auth: z.enum(['none', 'request', 'require', 'verify']).default('none'),
    // SNI: extra certificates, picked by server name (exact or one-label wildcard).
    certificates: z.array(sniCertificate).optional(),
  }).optional(),
  http: strict({
    read_timeout: duration.optional(),
    write_timeout: duration.optional(),
    idle_timeout: duration.optional(),
    read_header_timeout: duration.optional(),
    max_header_bytes: z.number().int().positive().optional(),
    /** (portico) longest request target (path + query) accepted; beyond it 414. Default 8192. */
    max_url_bytes: z.number().int().positive().optional(),
    /** (portico) most header fields accepted; beyond it 431. Default 100. */
    max_headers: z.number().int().positive().optional(),
    enable_http3: z.boolean().optional(),
  }).default({}),
  tcp: listenerTcp.optional(),
  udp: listenerUdp.optional(),
})

const admin = strict({
  enabled: z.boolean().default(true),
  port: z.number().int().min(0).max(65535).optional(),
  address: listenAddress.optional(),
  path_prefix: z.string().startsWith('/').default('/__portico'),
  token: z.string().optional(),
  metrics: strict({ enabled: z.boolean().default(true), path: z.string().startsWith('/').default('/metrics') }).default({
    enabled: true,
    path: '/metrics',
  }),
  readiness: strict({
    min_healthy_backends: z.number().int().min(0).default(1),
    require_redis: z.boolean().default(false),
  }).default({ min_healthy_backends: 1, require_redis: false }),
  /** Runway's name for the dashboard at /ui; `dashboard` is Portico's earlier one. */
  ui: adminUi.optional(),
  dashboard: adminUi.optional(),
  pprof: later.optional(),
})
  .superRefine(checkAliases({ ui: 'dashboard' }), ALWAYS)
  .transform(({ dashboard, ...a }) => (dashboard === undefined ? a : { ...a, ui: dashboard }))

const upstream = strict({
  backends: z.array(backend).min(1).optional(),
  load_balancer: z.enum(LOAD_BALANCERS).default('round_robin'),
  consistent_hash: consistentHash.optional(),
  health_check: healthCheck.optional(),
  // Service discovery (not active yet): the upstream has no endpoints until it is (gateway.ts).
  service: service.optional(),
  outlier_detection: outlierDetection.optional(),
  circuit_breaker: later.optional(),
  transport: transport.optional(),
}).refine((u) => (u.backends === undefined) !== (u.service === undefined), {
  // Runway's rule (config/loader.go validateUpstreams): one of the two, never both.
  message: 'needs backends or service (not both)',
  path: [],
})

/** A route's keys (the shape `--compat` and the feature table read); `routeSchema` adds the cross-key rules. */
export const routeShape = strict({
  id: z.string().min(1),
  path: z.string().startsWith('/', { message: 'must start with "/"' }),
  path_prefix: z.boolean().default(false),
  methods: z.array(z.string().regex(HTTP_TOKEN, { message: 'is not an HTTP method' }).transform((m) => m.toUpperCase())).default([]),
  match: strict({
    domains: z.array(z.string().min(1)).default([]),
    headers: z.array(valueMatch).default([]),
    query: z.array(valueMatch).default([]),
    cookies: z.array(valueMatch).default([]),
  }).default({ domains: [], headers: [], query: [], cookies: [] }),
  backends: z.array(backend).min(1).optional(),
  upstream: z.string().min(1).optional(),
  echo: z.boolean().default(false),
  load_balancer: z.enum(LOAD_BALANCERS).optional(),
  consistent_hash: consistentHash.optional(),
  health_check: healthCheck.optional(),
  outlier_detection: outlierDetection.optional(),
  retry_policy: retryPolicy.optional(),
  /** Runway's shorthand for retry_policy.max_retries (internal/proxy/proxy.go NewPolicyFromLegacy). */
  retries: z.number().int().min(0).max(10).optional(),
  circuit_breaker: circuitBreaker.optional(),
  max_concurrent: z.number().int().min(1).optional(),
  traffic_shaping: routeTrafficShaping.optional(),
  traffic_split: z.array(trafficSplitGroup).min(1).optional(),
  // Backend pinning; `sticky` (Runway's) pins a split group instead.
  session_affinity: sessionAffinity.optional(),
  sticky: sticky.optional(),
  strip_prefix: z.boolean().default(false),
  rewrite: strict({
    prefix: z.string().optional(),
    regex: z.union([z.literal(''), regexString]).optional(),
    replacement: z.string().optional(),
    host: z.string().optional(),
  }).optional(),
  max_body_size: z.number().int().positive().optional(),
  timeout: duration.optional(),
  timeout_policy: strict({
    request: duration.optional(),
    backend: duration.optional(),
    header_timeout: duration.optional(),
    idle: duration.optional(),
  }).optional(),
  transform: strict({
    request: strict({ headers: headerTransform.default({ add: {}, set: {}, remove: [] }), body: later.optional() }).optional(),
    response: strict({ headers: headerTransform.default({ add: {}, set: {}, remove: [] }), body: later.optional() }).optional(),
  }).optional(),
  // Accepted for Runway compatibility, not active yet (see inactive.ts).
  service: service.optional(),
  auth: routeAuth.optional(),
  rate_limit: rateLimit.optional(),
  spike_arrest: spikeArrest.optional(),
  quota: quota.optional(),
  cache: cache.optional(),
  cors: cors.optional(),
  ip_filter: ipFilter.optional(),
  websocket: websocket.optional(),
  compression: compression.optional(),
  mirror: mirror.optional(),
  coalesce: coalesce.optional(),
  ai: ai.optional(),
  grpc: grpc.optional(),
  sse: sse.optional(),
  protocol: protocol.optional(),
  security_headers: securityHeaders.optional(),
  ...missingRouteKeys,
})

export const routeSchema = routeShape
  .superRefine(checkTargets, ALWAYS)
  .superRefine(checkRetries, ALWAYS)
  .superRefine((r, ctx) => checkSticky(r as Record<string, unknown>, ctx), ALWAYS)
  .transform(foldRetries)

export const configShape = strict({
  listeners: z.array(listener).default([]),
  admin: admin.default({
    enabled: true,
    path_prefix: '/__portico',
    metrics: { enabled: true, path: '/metrics' },
    readiness: { min_healthy_backends: 1, require_redis: false },
  }),
  store: store.default({ ...STORE_DEFAULTS }),
  upstreams: z.record(z.string(), upstream).default({}),
  trusted_proxies: strict({
    cidrs: z.array(z.string()).default([]),
    headers: z.array(z.string()).default(['X-Forwarded-For', 'X-Real-IP']),
    max_hops: z.number().int().min(0).default(0),
  }).default({ cidrs: [], headers: ['X-Forwarded-For', 'X-Real-IP'], max_hops: 0 }),
  logging: strict({
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    output: z.string().default('stdout'),
    format: logFormat,
    access_log: z.boolean().default(true),
    /** (portico) only these access-log fields (default: all). */
    access_log_fields: z.array(z.enum(ACCESS_FIELDS)).optional(),
    /** (portico) request headers to add to each access-log line; credentials are redacted. */
    access_log_headers: z.array(z.string()).optional(),
  })
    .superRefine(checkLogging)
    .default({ level: 'info', output: 'stdout', format: 'json', access_log: true }),
  routes: z.array(routeSchema).default([]),
  health_check: healthCheck.optional(),
  // Accepted for Runway compatibility, not active yet (see inactive.ts).
  registry: registry.optional(),
  traffic_shaping: globalTrafficShaping.optional(),
  transport: transport.optional(),
  authentication: authentication.extend(missingAuthKeys).optional(),
  tracing: tracing.optional(),
  shutdown: shutdown.optional(),
  ip_filter: ipFilter.optional(),
  redis: redis.optional(),
  upstash: upstash.optional(),
  cloudflare: cloudflare.optional(),
  tcp_routes: z.array(tcpRoute).optional(),
  udp_routes: z.array(udpRoute).optional(),
  cors: cors.optional(),
  security_headers: securityHeaders.optional(),
  // Defaults for every route that has no block of its own.
  rate_limit: rateLimit.optional(),
  spike_arrest: spikeArrest.optional(),
  quota: quota.optional(),
  ...missingTopKeys,
})

export const configSchema = configShape
  .superRefine(
    (c, ctx) => {
      checkLimits(c, ctx)
      if (!Array.isArray(c.routes)) return
      const upstreams = (c.upstreams ?? {}) as Record<string, unknown>
      const seen = new Map<string, number>()
      c.routes.forEach((r, i) => {
        if (r === null || typeof r !== 'object') return
        if (seen.has(r.id)) {
          ctx.addIssue({ code: 'custom', message: `duplicate route id (also routes.${seen.get(r.id)}.id)`, path: ['routes', i, 'id'] })
        } else seen.set(r.id, i)
        if (r.upstream !== undefined && !(r.upstream in upstreams)) {
          const names = Object.keys(upstreams)
          const known = names.length ? ` (known: ${names.join(', ')})` : ''
          ctx.addIssue({ code: 'custom', message: `no upstream named "${r.upstream}"${known}`, path: ['routes', i, 'upstream'] })
        }
      })
    },
    // Run even when fields inside failed, so every problem is reported in one pass.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .transform((c): Config => {
    const listeners = c.listeners.map((l, i) => ({ ...l, id: l.id ?? `listener-${i}` }))
    const admin = { ...c.admin, address: c.admin.address ?? `127.0.0.1:${c.admin.port ?? 8081}` }
    // No cast: this assignment is the check that the parsed shape is a Config.
    const config: Config = { ...c, listeners, admin }
    return config
  })
