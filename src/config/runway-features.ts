/**
 * Every top-level and route key of a Runway config (Runway's config/config.go, `Config` and
 * `RouteConfig`, wudi/gateway@0bb5bea) with what Portico does with it: `active` (compiled),
 * `inactive` (accepted with Runway's keys and types checked, reported as not active) or
 * `missing` (refused as "Runway's X feature is not available in Portico"). Pure data: the
 * schema (schema-missing.ts), `--compat` (runway-compat.ts) and the tests read it.
 * @module
 */

export type FeatureStatus = 'active' | 'inactive' | 'missing'

const A = 'active'
const I = 'inactive'
const M = 'missing'

export const RUNWAY_TOP_KEYS: Readonly<Record<string, FeatureStatus>> = {
  listeners: A, registry: I, authentication: A, upstreams: A, routes: A, tcp_routes: I, udp_routes: I,
  logging: A, admin: A, tracing: A, ip_filter: A, rules: M, traffic_shaping: I, redis: A, waf: M,
  dns_resolver: M, openapi: M, webhooks: M, health_check: A, error_pages: M, nonce: M, csrf: M, geo: M,
  idempotency: M, backend_signing: M, transport: I, request_decompression: M, response_limit: M,
  security_headers: A, maintenance: M, shutdown: A, trusted_proxies: A, bot_detection: M,
  ai_crawl_control: M, client_mtls: M, https_redirect: M, allowed_hosts: M, token_revocation: M,
  service_rate_limit: M, spike_arrest: A, debug_endpoint: M, cdn_cache_headers: M, edge_cache_rules: M,
  retry_budgets: M, inbound_signing: M, ssrf_protection: M, ip_blocklist: M, load_shedding: M,
  audit_log: M, wasm: M, tenants: M, completion_header: M, deprecation: M, consumer_groups: M,
  baggage: M, secrets: M, extensions: M, cluster: M,
}

export const RUNWAY_ROUTE_KEYS: Readonly<Record<string, FeatureStatus>> = {
  id: A, path: A, path_prefix: A, methods: A, match: A, backends: A, service: I, upstream: A, auth: A,
  rate_limit: A, transform: A, timeout: A, retries: A, strip_prefix: A, retry_policy: A,
  timeout_policy: A, circuit_breaker: A, cache: I, websocket: A, max_body_size: A, ip_filter: A,
  cors: A, compression: I, traffic_split: A, validation: M, mirror: I, grpc: I, rules: M, protocol: I,
  traffic_shaping: A, sticky: A, waf: M, load_balancer: A, consistent_hash: A, graphql: M,
  graphql_federation: M, coalesce: I, canary: M, ext_auth: M, versioning: M, access_log: M,
  openapi: M, error_pages: M, nonce: M, csrf: M, idempotency: M, outlier_detection: A, geo: M,
  backend_signing: M, request_decompression: M, response_limit: M, security_headers: A,
  maintenance: M, rewrite: A, bot_detection: M, ai_crawl_control: M, client_mtls: M,
  proxy_rate_limit: M, mock_response: M, claims_propagation: M, backend_auth: M, status_mapping: M,
  static: M, passthrough: M, echo: A, spike_arrest: A, content_replacer: M, follow_redirects: M,
  body_generator: M, sequential: M, quota: A, aggregate: M, response_body_generator: M,
  param_forwarding: M, content_negotiation: M, cdn_cache_headers: M, edge_cache_rules: M,
  backend_encoding: M, sse: I, inbound_signing: M, pii_redaction: M, field_encryption: M,
  blue_green: M, ab_test: M, fastcgi: M, request_dedup: M, ip_blocklist: M, baggage: M,
  backpressure: M, audit_log: M, modifiers: M, field_replacer: M, jmespath: M, backend_response: M,
  output_encoding: M, error_handling: M, lua: M, wasm_plugins: M, lambda: M, amqp: M, pubsub: M,
  tenant: M, tenant_backends: M, completion_header: M, session_affinity: A, traffic_replay: M,
  token_exchange: M, deprecation: M, slo: M, etag: M, streaming: M, response_signing: M, opa: M,
  request_cost: M, connect: M, ai: I, extensions: M,
}

/**
 * Blocks that are partly active, reported per sub-key by `--compat` (Runway's sub-struct keys).
 * Keyed by where the block sits: `traffic_shaping` (top level), `routes[].traffic_shaping`, …
 */
export const RUNWAY_PARTS: Readonly<Record<string, Readonly<Record<string, FeatureStatus>>>> = {
  authentication: { api_key: A, jwt: A, oauth: A, basic: A, ldap: M, saml: M },
  traffic_shaping: { throttle: I, bandwidth: I, priority: I, fault_injection: I, adaptive_concurrency: I, request_queue: I },
  'routes[].traffic_shaping': { throttle: I, bandwidth: I, priority: I, fault_injection: I, adaptive_concurrency: A, request_queue: I },
}

/** Keys inside otherwise active blocks that `--compat` lists on a line of their own (dotted paths). */
export const RUNWAY_SUBKEYS: Readonly<Record<string, Readonly<Record<string, FeatureStatus>>>> = {
  'listeners[]': { tcp: I, udp: I, 'http.enable_http3': I },
  'upstreams.*': { service: I, transport: I },
}

/**
 * Runway route features that answer in place of a proxied backend (Runway's
 * validateRouteBasics and its "mutually exclusive with … innermost handlers" list): a route
 * using one needs no backends in Runway, so Portico reports only the missing feature.
 */
export const RUNWAY_HANDLER_FEATURES: readonly string[] = [
  'static', 'sequential', 'aggregate', 'fastcgi', 'graphql_federation', 'versioning', 'lambda', 'amqp',
  'pubsub', 'mock_response',
]

export function keysWith(table: Readonly<Record<string, FeatureStatus>>, status: FeatureStatus): string[] {
  return Object.keys(table).filter((k) => table[k] === status)
}

/** The message for a Runway key Portico does not have (`graphql`, `authentication.ldap`). */
export function missingMessage(feature: string): string {
  return `Runway's ${feature} feature is not available in Portico`
}
