/**
 * Keys a config may use (for Runway compatibility) whose features are not active in this
 * version. Startup logs each one: a key is never silently ignored.
 * @module
 */
import type { Config } from './types.ts'

const TOP_ACTIVE = new Set(['listeners', 'admin', 'store', 'upstreams', 'trusted_proxies', 'logging', 'routes', 'health_check'])
const ROUTE_ACTIVE = new Set([
  'id', 'path', 'path_prefix', 'methods', 'match', 'backends', 'upstream', 'echo', 'load_balancer',
  'consistent_hash', 'health_check', 'outlier_detection', 'retry_policy', 'circuit_breaker', 'max_concurrent', 'traffic_shaping', 'traffic_split', 'session_affinity', 'sticky', 'strip_prefix', 'rewrite', 'max_body_size', 'timeout', 'timeout_policy', 'transform',
])
const UPSTREAM_ACTIVE = new Set(['backends', 'load_balancer', 'consistent_hash', 'health_check', 'outlier_detection'])

export function inactiveFeatures(config: Config): string[] {
  const out: string[] = []
  for (const key of Object.keys(config)) if (!TOP_ACTIVE.has(key) && config[key] !== undefined) out.push(key)
  config.listeners.forEach((l, i) => {
    if (l.protocol !== 'http') out.push(`listeners.${i}.protocol: ${l.protocol}`)
    if (l.tls?.enabled) out.push(`listeners.${i}.tls`)
    if (l.http.write_timeout !== undefined) out.push(`listeners.${i}.http.write_timeout`)
    if (l.http.max_header_bytes !== undefined) out.push(`listeners.${i}.http.max_header_bytes`)
  })
  if (config.admin.metrics.enabled) out.push('admin.metrics')
  if (config.store.type !== 'memory') out.push(`store.type: ${config.store.type}`)
  for (const [name, u] of Object.entries(config.upstreams)) {
    for (const key of Object.keys(u)) if (!UPSTREAM_ACTIVE.has(key) && u[key] !== undefined) out.push(`upstreams.${name}.${key}`)
  }
  for (const r of config.routes) {
    for (const key of Object.keys(r.traffic_shaping ?? {})) {
      if (key !== 'adaptive_concurrency') out.push(`routes.${r.id}.traffic_shaping.${key}`)
    }
    if (r.circuit_breaker?.mode === 'distributed') out.push(`routes.${r.id}.circuit_breaker.mode: distributed (local is used)`)
    for (const key of Object.keys(r)) if (!ROUTE_ACTIVE.has(key) && r[key] !== undefined) out.push(`routes.${r.id}.${key}`)
  }
  return out
}
