/**
 * Keys a config may use (for Runway compatibility) whose features are not active in this
 * version. Startup logs each one and admin `/config` lists them: a key is never silently
 * ignored. Anything not named active below is reported, so a key added to the schema later
 * shows up here until someone deliberately marks it active.
 * @module
 */
import type { Config } from './types.ts'

const TOP_ACTIVE = new Set([
  'listeners', 'admin', 'store', 'upstreams', 'trusted_proxies', 'logging', 'routes', 'health_check',
  'redis', 'upstash', 'cloudflare', 'rate_limit', 'spike_arrest', 'quota', 'ip_filter', 'cors', 'security_headers',
  'shutdown', 'tracing',
])
const ADMIN_ACTIVE = new Set(['enabled', 'port', 'address', 'path_prefix', 'token', 'metrics', 'readiness', 'dashboard'])
const ROUTE_ACTIVE = new Set([
  'id', 'path', 'path_prefix', 'methods', 'match', 'backends', 'upstream', 'echo', 'load_balancer',
  'consistent_hash', 'health_check', 'outlier_detection', 'retry_policy', 'circuit_breaker', 'max_concurrent',
  'traffic_shaping', 'traffic_split', 'session_affinity', 'sticky', 'strip_prefix', 'rewrite', 'max_body_size',
  'timeout', 'timeout_policy', 'transform', 'rate_limit', 'spike_arrest', 'quota', 'auth', 'cors', 'ip_filter',
  'security_headers',
])
/** Authentication methods that work in this version. */
const AUTH_ACTIVE = new Set(['api_key', 'basic', 'jwt', 'oauth'])
const UPSTREAM_ACTIVE = new Set(['backends', 'load_balancer', 'consistent_hash', 'health_check', 'outlier_detection'])
/** Top-level blocks reported per sub-block, so `authentication.jwt` and `.api_key` read apart. */
const BY_PART = new Set(['authentication'])

function present(o: Record<string, unknown>, key: string): boolean {
  return o[key] !== undefined
}

function inactiveKeys(o: Record<string, unknown>, active: Set<string>, where: string, out: string[]): void {
  for (const key of Object.keys(o)) if (!active.has(key) && present(o, key)) out.push(`${where}.${key}`)
}

/** Human-readable paths (`routes.<id>.rate_limit`, `listeners.0.http.write_timeout`, …), in config order. */
export function inactiveFeatures(config: Config): string[] {
  const out: string[] = []
  for (const key of Object.keys(config)) {
    if (TOP_ACTIVE.has(key) || !present(config, key)) continue
    const value = config[key]
    const parts = BY_PART.has(key) && value !== null && typeof value === 'object' ? Object.keys(value) : []
    if (parts.length === 0) out.push(key)
    else for (const part of parts) if (!(key === 'authentication' && AUTH_ACTIVE.has(part))) out.push(`${key}.${part}`)
  }
  // Lines are JSON either way; Runway's access-log template with $variables comes next (#15).
  if (config.logging.format !== 'json') out.push(`logging.format: ${config.logging.format} (JSON is written)`)
  config.listeners.forEach((l, i) => {
    if (l.protocol !== 'http') out.push(`listeners.${i}.protocol: ${l.protocol}`)
    if (l.http.write_timeout !== undefined) out.push(`listeners.${i}.http.write_timeout`)
  })
  inactiveKeys(config.admin as unknown as Record<string, unknown>, ADMIN_ACTIVE, 'admin', out)
  for (const [name, u] of Object.entries(config.upstreams)) inactiveKeys(u, UPSTREAM_ACTIVE, `upstreams.${name}`, out)
  for (const r of config.routes) {
    const where = `routes.${r.id}`
    inactiveKeys(r, ROUTE_ACTIVE, where, out)
    for (const key of Object.keys(r.traffic_shaping ?? {})) {
      if (key !== 'adaptive_concurrency') out.push(`${where}.traffic_shaping.${key}`)
    }
    if (r.circuit_breaker?.mode === 'distributed') out.push(`${where}.circuit_breaker.mode: distributed (local is used)`)
    for (const side of ['request', 'response'] as const) {
      const t = r.transform?.[side] as Record<string, unknown> | undefined
      if (t !== undefined && present(t, 'body')) out.push(`${where}.transform.${side}.body`)
    }
  }
  return out
}
