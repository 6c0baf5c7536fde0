/**
 * The validated, defaults-applied configuration the core compiles. The zod schema in
 * `schema.ts` must produce exactly this shape (checked at type level there).
 * Key names follow Runway's YAML (snake_case); durations are already milliseconds and
 * sizes bytes. Blocks whose features land later are kept as opaque records so that a
 * Runway config validates; `inactiveFeatures()` reports them at startup.
 * @module
 */

import type { AuthenticationConfig, RouteAuthConfig } from './types-auth.ts'
import type { CorsConfig, IpFilterConfig, SecurityHeadersConfig } from './types-policies.ts'
import type { WebSocketConfig } from './types-websocket.ts'

export type { CorsConfig, HstsConfig, IpFilterConfig, SecurityHeadersConfig } from './types-policies.ts'
export type { WebSocketConfig } from './types-websocket.ts'
export type { AuthenticationConfig, JwtConfig, JwtOptions, OAuthIntrospectionOptions, RouteAuthConfig } from './types-auth.ts'

export type Millis = number

export interface ListenerConfig {
  id: string
  /** `host:port`; `:8080` means all interfaces. */
  address: string
  protocol: 'http' | 'tcp' | 'udp' | 'quic'
  tls?: {
    enabled: boolean
    cert_file?: string
    key_file?: string
    client_ca_file?: string
    client_auth: 'none' | 'request' | 'require' | 'verify'
    /** SNI: more certificates, chosen by server name. */
    certificates?: { cert_file: string; key_file: string; server_names?: string[] }[]
  }
  http: {
    read_timeout?: Millis
    write_timeout?: Millis
    idle_timeout?: Millis
    read_header_timeout?: Millis
    max_header_bytes?: number
    max_url_bytes?: number
    max_headers?: number
    /** Runway's HTTP/3 over QUIC: accepted, not active (inactive.ts). */
    enable_http3?: boolean
  }
  /** Runway's L4 listener settings: accepted, not active (inactive.ts). */
  tcp?: { sni_routing?: boolean; connect_timeout?: Millis; idle_timeout?: Millis; proxy_protocol?: boolean }
  udp?: { session_timeout?: Millis; read_buffer_size?: number; write_buffer_size?: number }
}

export interface AdminConfig {
  enabled: boolean
  port?: number
  /** Full bind address; wins over `port`. Defaults to 127.0.0.1:<port>. */
  address?: string
  path_prefix: string
  token?: string
  metrics: { enabled: boolean; path: string }
  readiness: { min_healthy_backends: number; require_redis: boolean }
  /** The web dashboard at /ui (on by default). Runway's `ui`; `dashboard` is accepted as its alias. */
  ui?: { enabled: boolean }
  pprof?: unknown
}

export interface BackendConfig {
  url: string
  weight: number
  health_check?: HealthCheckConfig
}

export type LoadBalancerName =
  | 'round_robin'
  | 'random'
  | 'least_conn'
  | 'least_response_time'
  | 'p2c'
  | 'ip_hash'
  | 'consistent_hash'
  | 'maglev'

/** Where hash-based balancers (ip_hash, consistent_hash, maglev) take their key from. */
export interface ConsistentHashConfig {
  key: 'header' | 'cookie' | 'path' | 'ip'
  header_name?: string
  cookie_name?: string
  /** Virtual nodes per unit of weight on the consistent-hash ring. */
  replicas: number
}

export interface HealthCheckConfig {
  /** (portico) `http` (default): a request judged by `expected_status`; `tcp`: a connection is opened and closed (Kong's `type: tcp`). */
  type?: 'http' | 'tcp'
  path?: string
  method?: string
  interval?: Millis
  timeout?: Millis
  healthy_after?: number
  unhealthy_after?: number
  expected_status?: string[]
}

/** Runway's keys (`base_/max_ejection_time` are accepted as aliases); `consecutive_errors` is Envoy's. */
export interface OutlierDetectionConfig {
  /** false: no ejection for this route or upstream (a route's block wins over its upstream's). */
  enabled: boolean
  consecutive_errors: number
  error_rate_threshold?: number
  min_requests: number
  window: Millis
  base_ejection_duration: Millis
  max_ejection_duration: Millis
  max_ejection_percent: number
}

/** See src/resilience/retry-budget.ts for how the three keys combine. */
export interface RetryBudgetConfig {
  /** Share of the requests (in flight, and over `window`) that may be retries. */
  ratio: number
  /** Requests that may be retrying at once whatever the ratio. */
  min_retries: number
  /** Span of the rate cap; 0 = none (the in-flight ratio alone). */
  window: Millis
}

export interface RetryPolicyConfig {
  max_retries: number
  initial_backoff: Millis
  max_backoff: Millis
  backoff_multiplier: number
  retryable_statuses: number[]
  retryable_methods: string[]
  per_try_timeout?: Millis
  budget: RetryBudgetConfig
  /** (portico) request bodies up to this size are buffered so they can be replayed. */
  max_replay_bytes: number
  hedging?: { enabled: boolean; max_requests: number; delay: Millis }
}

export interface CircuitBreakerConfig {
  enabled: boolean
  failure_threshold: number
  error_rate_threshold?: number
  min_requests: number
  window: Millis
  /** Trial requests admitted while half-open. */
  max_requests: number
  /** How long the circuit stays open before trials. */
  timeout: Millis
  mode: 'local' | 'distributed'
}

export interface TrafficSplitGroup {
  name: string
  /** Share of requests (relative to the other groups' weights). */
  weight: number
  backends: BackendConfig[]
  /** Requests carrying all of these header values always go to this group. */
  match_headers: Record<string, string>
}

/** Cookie pinning of a client to the backend that served it first. */
export interface SessionAffinityConfig {
  enabled: boolean
  cookie_name: string
  ttl: Millis
}

/**
 * Runway `sticky`: a client keeps its `traffic_split` group. `cookie`: the group named in a
 * cookie set on the first answer; `header`: a hash of the `hash_key` header (none: weights
 * decide); `hash`: the same, falling back to the client address.
 */
export interface StickyConfig {
  enabled: boolean
  /** Required when enabled (validated). */
  mode?: 'cookie' | 'header' | 'hash'
  cookie_name: string
  /** The request header hashed in header and hash modes (required there). */
  hash_key?: string
  ttl: Millis
}

export interface UpstreamConfig {
  /** Absent when the upstream names a `service` instead (discovery, not active yet: no endpoints). */
  backends?: BackendConfig[]
  load_balancer: LoadBalancerName
  consistent_hash?: ConsistentHashConfig
  health_check?: HealthCheckConfig
  outlier_detection?: OutlierDetectionConfig
  [later: string]: unknown
}

export interface HeaderMatch {
  name: string
  value?: string
  present?: boolean
  regex?: string
}

export interface HeaderTransform {
  add: Record<string, string>
  set: Record<string, string>
  remove: string[]
}

export interface TimeoutPolicy {
  request?: Millis
  backend?: Millis
  header_timeout?: Millis
  idle?: Millis
}

export type FailurePolicy = 'fail_open' | 'fail_closed'
export type LimitMode = 'local' | 'distributed'

export interface RateLimitConfig {
  enabled: boolean
  rate?: number
  period: Millis
  burst?: number
  /** As written (Runway): true is `key: ip`; false without a key is one bucket for the route. */
  per_ip?: boolean
  /**
   * ip | client_id | header:<n> | cookie:<n> | jwt_claim:<n>; absent = one bucket for the route.
   * Default (no key, no per_ip): client_id, which falls back to the client IP (Runway's default).
   */
  key?: string
  mode: LimitMode
  algorithm: 'token_bucket' | 'sliding_window' | 'gcra'
  tiers?: Record<string, { rate: number; period?: Millis; burst?: number }>
  tier_key?: string
  default_tier?: string
  failure_policy?: FailurePolicy
  headers: boolean
}

export interface SpikeArrestConfig {
  enabled: boolean
  rate: number
  period: Millis
  burst: number
  /** As written (Runway): true is `key: ip`. */
  per_ip?: boolean
  /** (portico) as in rate_limit; absent = one bucket for the route (Runway's default, per_ip false). */
  key?: string
  mode: LimitMode
  failure_policy?: FailurePolicy
}

/** Runway's calendar periods, plus (portico) `weekly` (ISO weeks). */
export type QuotaPeriod = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly'

export interface QuotaConfig {
  enabled: boolean
  limit: number
  /** Runway's `period`; Portico's `window: hour|day|week|month` is accepted as its alias. */
  period: QuotaPeriod
  key: string
  /** Runway's `redis: true|false` is accepted for `distributed|local`. */
  mode: LimitMode
  failure_policy?: FailurePolicy
}

export interface StoreConfig {
  type: 'memory' | 'redis' | 'upstash' | 'cloudflare_kv' | 'durable_object'
  timeout: Millis
  failure_policy: FailurePolicy
  key_prefix: string
  max_keys: number
  shards: number
}

/** Runway's `min_/max_concurrency` (`min_/max_limit` are accepted as aliases). */
export interface AdaptiveConcurrencyConfig {
  enabled: boolean
  min_concurrency: number
  max_concurrency: number
  initial_limit: number
  latency_tolerance: number
  decrease_ratio: number
}

export interface RouteConfig {
  id: string
  path: string
  path_prefix: boolean
  methods: string[]
  match: {
    domains: string[]
    headers: HeaderMatch[]
    query: HeaderMatch[]
    cookies: HeaderMatch[]
  }
  backends?: BackendConfig[]
  upstream?: string
  echo: boolean
  load_balancer?: LoadBalancerName
  consistent_hash?: ConsistentHashConfig
  health_check?: HealthCheckConfig
  outlier_detection?: OutlierDetectionConfig
  retry_policy?: RetryPolicyConfig
  /** Runway's shorthand, kept as written: its count is folded into `retry_policy.max_retries`. */
  retries?: number
  circuit_breaker?: CircuitBreakerConfig
  traffic_split?: TrafficSplitGroup[]
  session_affinity?: SessionAffinityConfig
  sticky?: StickyConfig
  traffic_shaping?: {
    adaptive_concurrency?: AdaptiveConcurrencyConfig
    [later: string]: unknown
  }
  /** (portico) requests this route may have in flight at once; beyond it: 503. */
  max_concurrent?: number
  strip_prefix: boolean
  rewrite?: { prefix?: string; regex?: string; replacement?: string; host?: string }
  max_body_size?: number
  timeout?: Millis
  timeout_policy?: TimeoutPolicy
  transform?: {
    request?: { headers: HeaderTransform }
    response?: { headers: HeaderTransform }
  }
  rate_limit?: RateLimitConfig
  spike_arrest?: SpikeArrestConfig
  quota?: QuotaConfig
  auth?: RouteAuthConfig
  ip_filter?: IpFilterConfig
  cors?: CorsConfig
  security_headers?: SecurityHeadersConfig
  websocket?: WebSocketConfig
  /** Keys accepted for Runway compatibility whose features are not active yet (cache, compression, …): inactive.ts reports them. */
  [later: string]: unknown
}

/** The fields an access-log line can hold, in their default order. */
export const ACCESS_FIELDS = ['request_id', 'client_ip', 'client_id', 'method', 'path', 'route', 'upstream', 'retries', 'status', 'duration_ms', 'bytes'] as const
export type AccessField = (typeof ACCESS_FIELDS)[number]

export interface LoggingConfig {
  level: 'debug' | 'info' | 'warn' | 'error'
  output: string
  /** `json`, or Runway's access-log template with `$variables` (`text`: Runway's default one); log-format.ts. */
  format: string
  /** (portico) access log on/off */
  access_log: boolean
  access_log_fields?: AccessField[]
  access_log_headers?: string[]
}

export interface TrustedProxiesConfig {
  cidrs: string[]
  headers: string[]
  max_hops: number
}

/** OpenTelemetry tracing (docs/tracing.md). Exporter settings are read once, at process start. */
export interface TracingConfig {
  enabled: boolean
  /** `otlp` (the default): OTLP over HTTP with JSON bodies, the only exporter. */
  exporter?: string
  /** Collector URL; a URL without a path gets `/v1/traces`. Default `http://127.0.0.1:4318/v1/traces`. */
  endpoint?: string
  /** Resource `service.name`; default `portico`. */
  service_name?: string
  /** Share of new traces recorded, 0..1 (default 1); a caller's sampling decision is followed. */
  sample_rate?: number
  /** Extra headers on every export request (collector credentials). */
  headers?: Record<string, string>
}

export interface Config {
  listeners: ListenerConfig[]
  admin: AdminConfig
  store: StoreConfig
  redis?: { address: string; password?: string; db?: number; tls?: boolean }
  upstash?: { url?: string; token?: string }
  cloudflare?: { kv_binding?: string; durable_object_binding?: string; config_kv_key?: string; config_check_interval?: Millis; analytics_engine_binding?: string }
  authentication?: AuthenticationConfig
  shutdown?: { timeout?: Millis; drain_delay?: Millis }
  /** Defaults for routes without their own block. */
  rate_limit?: RateLimitConfig
  spike_arrest?: SpikeArrestConfig
  quota?: QuotaConfig
  upstreams: Record<string, UpstreamConfig>
  trusted_proxies: TrustedProxiesConfig
  logging: LoggingConfig
  routes: RouteConfig[]
  /** Global health-check defaults, merged under each upstream's (and route's) own. */
  health_check?: HealthCheckConfig
  tracing?: TracingConfig
  /** Defaults for routes without their own block (ip_filter: checked before routing, for every request). */
  ip_filter?: IpFilterConfig
  cors?: CorsConfig
  security_headers?: SecurityHeadersConfig
  /** Keys accepted for Runway compatibility whose features are not active yet (registry, tcp_routes, …). */
  [later: string]: unknown
}

/** One validation problem: `file: path: message`, with a line where the YAML parser knows it. */
export interface ConfigIssue {
  file: string
  path: string
  message: string
  line?: number
}
