/**
 * Route-level target selection above the balancer: `traffic_split` (weighted groups, each its
 * own pool; a `sticky` pin first, then `match_headers` pins matching requests to a group —
 * canary by header — then the weights, as Runway's WeightedBalancer orders them) and
 * `session_affinity` (a cookie pins a client to the backend that served it first, while that
 * backend can take traffic).
 * @module
 */
import type { SessionAffinityConfig } from '../config/types.ts'
import { parseCookies } from '../http/cookies.ts'
import { hash32 } from '../balancer/hash.ts'
import { type HttpEndpoint, isAvailable } from './endpoint.ts'
import type { BackendPool } from './pool.ts'
import type { StickyPolicy } from './sticky.ts'

type HttpPool = BackendPool<HttpEndpoint>

export interface SplitGroup {
  name: string
  weight: number
  matchHeaders: [string, string][]
  pool: HttpPool
}

/** The pool of a request's split group; `clientIp` feeds sticky's hash mode. */
export type PoolSelector = (headers: Headers, clientIp: string) => HttpPool

export function createSplitSelector(groups: readonly SplitGroup[], sticky: StickyPolicy<SplitGroup> | null): PoolSelector {
  const matching = groups.filter((g) => g.matchHeaders.length > 0)
  const total = groups.reduce((n, g) => n + g.weight, 0)
  return function splitTraffic(headers, clientIp) {
    const pinned = sticky === null ? null : sticky.find(headers, clientIp)
    if (pinned !== null) return pinned.pool
    for (const g of matching) if (g.matchHeaders.every(([k, v]) => headers.get(k) === v)) return g.pool
    let r = Math.random() * total
    for (const g of groups) {
      r -= g.weight
      if (r < 0) return g.pool
    }
    return groups[groups.length - 1].pool
  }
}

export interface Affinity {
  /** The pinned backend (and its pool) if the cookie names one that can take traffic now. */
  find(headers: Headers, now: number): { target: HttpEndpoint; pool: HttpPool } | null
  /** Set-Cookie value pinning `target`; null when the request already carries that pin. */
  cookie(target: HttpEndpoint, headers: Headers): string | null
}

export function createAffinity(cfg: SessionAffinityConfig, pools: readonly HttpPool[], secret: string): Affinity {
  // The cookie carries an opaque token, never the backend's address.
  const tokenOf = (t: HttpEndpoint) => hash32(t.url, hash32(secret)).toString(36)
  const byToken = new Map<string, { target: HttpEndpoint; pool: HttpPool }>()
  // Rebuilt only when discovery has changed a pool's members (compared by array identity).
  let seen: (readonly HttpEndpoint[])[] = []
  const tokens = () => {
    let same = seen.length === pools.length
    for (let i = 0; same && i < pools.length; i++) same = pools[i].endpoints === seen[i]
    if (same) return byToken
    byToken.clear()
    seen = pools.map((p) => p.endpoints)
    for (const pool of pools) for (const target of pool.endpoints) byToken.set(tokenOf(target), { target, pool })
    return byToken
  }
  const maxAge = Math.floor(cfg.ttl / 1000)
  const read = (headers: Headers) => parseCookies(headers.get('cookie')).get(cfg.cookie_name)
  return {
    find(headers, now) {
      const token = read(headers)
      const hit = token === undefined ? undefined : tokens().get(token)
      return hit !== undefined && isAvailable(hit.target, now) ? hit : null
    },
    cookie(target, headers) {
      const token = tokenOf(target)
      if (read(headers) === token) return null
      return `${cfg.cookie_name}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax`
    },
  }
}
