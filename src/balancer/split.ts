/**
 * Route-level target selection above the balancer: `traffic_split` (weighted groups, each its
 * own pool; `match_headers` pins matching requests to a group — canary by header) and
 * `session_affinity` (a cookie pins a client to the backend that served it first, while that
 * backend can take traffic).
 * @module
 */
import type { SessionAffinityConfig } from '../config/types.ts'
import { parseCookies } from '../http/cookies.ts'
import { hash32 } from './hash.ts'
import { type BackendPool, type BackendTarget, isAvailable } from './pool.ts'

export interface SplitGroup {
  name: string
  weight: number
  matchHeaders: [string, string][]
  pool: BackendPool
}

export type PoolSelector = (headers: Headers) => BackendPool

export function createSplitSelector(groups: readonly SplitGroup[]): PoolSelector {
  const matching = groups.filter((g) => g.matchHeaders.length > 0)
  const total = groups.reduce((n, g) => n + g.weight, 0)
  return function splitTraffic(headers) {
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
  find(headers: Headers, now: number): { target: BackendTarget; pool: BackendPool } | null
  /** Set-Cookie value pinning `target`; null when the request already carries that pin. */
  cookie(target: BackendTarget, headers: Headers): string | null
}

export function createAffinity(cfg: SessionAffinityConfig, pools: readonly BackendPool[], secret: string): Affinity {
  // The cookie carries an opaque token, never the backend's address.
  const tokenOf = (t: BackendTarget) => hash32(t.url, hash32(secret)).toString(36)
  const byToken = new Map<string, { target: BackendTarget; pool: BackendPool }>()
  for (const pool of pools) for (const target of pool.targets) byToken.set(tokenOf(target), { target, pool })
  const maxAge = Math.floor(cfg.ttl / 1000)
  const read = (headers: Headers) => parseCookies(headers.get('cookie')).get(cfg.cookie_name)
  return {
    find(headers, now) {
      const token = read(headers)
      const hit = token === undefined ? undefined : byToken.get(token)
      return hit !== undefined && isAvailable(hit.target, now) ? hit : null
    },
    cookie(target, headers) {
      const token = tokenOf(target)
      if (read(headers) === token) return null
      return `${cfg.cookie_name}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax`
    },
  }
}
