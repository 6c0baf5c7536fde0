/**
 * A route's edge policies compiled once: IP filter (global, then the route's), CORS (the route's
 * block, else the global one) and security headers. At request time: `allowed(ip)`, a preflight
 * answer, and the response-header edits every response of the request gets — the gateway's own
 * errors included, so a browser can read a 401/429.
 * @module
 */
import type { Config, RouteConfig } from '../config/types.ts'
import type { HeaderEdit } from '../gateway/header-edits.ts'
import { type Cors, createCors } from './cors.ts'
import { createIpFilter, type IpFilter } from './ip-filter.ts'
import { createSecurityHeaders, type SecurityHeaders, type SecurityHeadersOptions } from './security-headers.ts'

// Removed from upstream answers on routes whose CORS the gateway answers (no duplicate ACAO).
const UPSTREAM_CORS: HeaderEdit[] = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
].map((h) => [h, null] as const)

export interface EdgePolicies {
  ipFilter: IpFilter | null
  cors: Cors | null
  /** Edits for a request (null when the route has no edge headers). */
  edits(request: Request, https: boolean): HeaderEdit[] | null
}

export function createGlobalIpFilter(config: Config): IpFilter | null {
  const f = config.ip_filter as { allow: string[]; deny: string[] } | undefined
  return f === undefined ? null : createIpFilter(f, 'ip_filter')
}

export function createEdgePolicies(route: RouteConfig, config: Config): EdgePolicies {
  const where = `routes.${route.id}`
  const rf = route.ip_filter as { allow: string[]; deny: string[] } | undefined
  const ipFilter = rf === undefined ? null : createIpFilter(rf, `${where}.ip_filter`)
  const corsCfg = (route.cors ?? config.cors) as ({ enabled: boolean } & Parameters<typeof createCors>[0]) | undefined
  const cors = corsCfg?.enabled ? createCors(corsCfg, route.cors ? `${where}.cors` : 'cors') : null
  const shCfg = (route.security_headers ?? config.security_headers) as SecurityHeadersOptions | undefined
  const security: SecurityHeaders | null = shCfg !== undefined && shCfg.enabled !== false ? createSecurityHeaders(shCfg, route.security_headers ? `${where}.security_headers` : 'security_headers') : null
  const edits =
    cors === null && security === null
      ? () => null
      : (request: Request, https: boolean) => {
          const out: HeaderEdit[] = []
          if (cors !== null) {
            out.push(...UPSTREAM_CORS)
            for (const [k, v] of cors.headersFor(request)) out.push([k.toLowerCase(), v])
          }
          if (security !== null) {
            for (const [k, v] of security(https)) {
              const name = k.toLowerCase()
              out.push([name, v, name === 'content-security-policy'])
            }
          }
          return out
        }
  return { ipFilter, cors, edits }
}
