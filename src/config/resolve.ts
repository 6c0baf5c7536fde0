/**
 * "The route's block, else the global one" decided once per route, so every policy factory
 * takes the block that applies to it and the config path to name in its errors.
 * @module
 */
import type { Config, FailurePolicy, QuotaConfig, RateLimitConfig, RouteConfig, SpikeArrestConfig } from './types.ts'
import type { CorsConfig, IpFilterConfig, SecurityHeadersConfig } from './types-policies.ts'

/** A block that applies to a route, with the config path it came from (`cors` or `routes.x.cors`). */
export interface Applied<T> {
  readonly block: T
  readonly where: string
}

export interface EffectiveRoute {
  readonly route: RouteConfig
  /** `routes.<id>`: the prefix of the route's own keys in error messages. */
  readonly where: string
  /** The route's own filter; the global one runs before routing (gateway.ts). */
  readonly ipFilter: Applied<IpFilterConfig> | null
  readonly cors: Applied<CorsConfig> | null
  readonly securityHeaders: Applied<SecurityHeadersConfig> | null
  readonly rateLimit: RateLimitConfig | null
  readonly spikeArrest: SpikeArrestConfig | null
  readonly quota: QuotaConfig | null
  /** `store.failure_policy`: the default of every limit without its own. */
  readonly storeFailurePolicy: FailurePolicy
}

function applied<T>(own: T | undefined, global: T | undefined, where: string, key: string): Applied<T> | null {
  if (own !== undefined) return { block: own, where: `${where}.${key}` }
  return global === undefined ? null : { block: global, where: key }
}

export function resolveRoute(route: RouteConfig, config: Config): EffectiveRoute {
  const where = `routes.${route.id}`
  return {
    route,
    where,
    ipFilter: route.ip_filter === undefined ? null : { block: route.ip_filter, where: `${where}.ip_filter` },
    cors: applied(route.cors, config.cors, where, 'cors'),
    securityHeaders: applied(route.security_headers, config.security_headers, where, 'security_headers'),
    rateLimit: route.rate_limit ?? config.rate_limit ?? null,
    spikeArrest: route.spike_arrest ?? config.spike_arrest ?? null,
    quota: route.quota ?? config.quota ?? null,
    storeFailurePolicy: config.store.failure_policy,
  }
}
