/**
 * Keys a config may use (for Runway compatibility) whose features are not active in this
 * version. Startup logs each one and admin `/config` lists them: a key is never silently
 * ignored. Anything not named active is reported, so a key added to the schema later shows up
 * here until something compiles it. Route keys come from the policy registry and the handler
 * table (gateway.ts), not from a list here.
 * @module
 */
import type { Config } from './types.ts'

const TOP_ACTIVE = new Set([
  'listeners', 'admin', 'store', 'upstreams', 'trusted_proxies', 'logging', 'routes', 'health_check',
  'redis', 'upstash', 'cloudflare', 'rate_limit', 'spike_arrest', 'quota', 'ip_filter', 'cors', 'security_headers',
  'shutdown', 'tracing',
])
const ADMIN_ACTIVE = new Set(['enabled', 'port', 'address', 'path_prefix', 'token', 'metrics', 'readiness', 'ui'])
/** Authentication methods that work in this version. */
const AUTH_ACTIVE = new Set(['api_key', 'basic', 'jwt', 'oauth'])
const UPSTREAM_ACTIVE = new Set(['backends', 'load_balancer', 'consistent_hash', 'health_check', 'outlier_detection'])
/** Top-level blocks reported per sub-block, so `authentication.jwt` and `.api_key` read apart. */
const BY_PART = new Set(['authentication', 'traffic_shaping'])

function present(o: Record<string, unknown>, key: string): boolean {
  return o[key] !== undefined
}

function inactiveKeys(o: Record<string, unknown>, active: ReadonlySet<string>, where: string, out: string[]): void {
  for (const key of Object.keys(o)) if (!active.has(key) && present(o, key)) out.push(`${where}.${key}`)
}

/**
 * Human-readable paths (`routes.<id>.cache`, `listeners.0.http.write_timeout`, …), in config
 * order. `routeKeys`: the route keys something compiles (the gateway derives them from the
 * policy registry and its handler table: `inactiveKeysOf` in gateway.ts).
 */
export function inactiveFeatures(config: Config, routeKeys: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (const key of Object.keys(config)) {
    if (TOP_ACTIVE.has(key) || !present(config, key)) continue
    const value = config[key]
    const parts = BY_PART.has(key) && value !== null && typeof value === 'object' ? Object.keys(value) : []
    if (parts.length === 0) out.push(key)
    else for (const part of parts) if (!(key === 'authentication' && AUTH_ACTIVE.has(part))) out.push(`${key}.${part}`)
  }
  config.listeners.forEach((l, i) => {
    if (l.protocol !== 'http') out.push(`listeners.${i}.protocol: ${l.protocol}`)
    if (l.http.write_timeout !== undefined) out.push(`listeners.${i}.http.write_timeout`)
    if (l.http.enable_http3 !== undefined) out.push(`listeners.${i}.http.enable_http3`)
    for (const part of ['tcp', 'udp'] as const) if (l[part] !== undefined) out.push(`listeners.${i}.${part}`)
  })
  inactiveKeys(config.admin as unknown as Record<string, unknown>, ADMIN_ACTIVE, 'admin', out)
  for (const [name, u] of Object.entries(config.upstreams)) inactiveKeys(u, UPSTREAM_ACTIVE, `upstreams.${name}`, out)
  for (const r of config.routes) {
    const where = `routes.${r.id}`
    inactiveKeys(r, routeKeys, where, out)
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
