/**
 * A pool of backends as the proxy uses it: live per-backend state shared by every route that
 * names the same upstream (so least_conn sees all their traffic), a balancer, and the key
 * function for hash-based balancers — all built once per config version.
 * @module
 */
import type { BackendConfig, ConsistentHashConfig, LoadBalancerName } from '../config/types.ts'
import type { OutlierDetector } from '../resilience/outlier.ts'
import { parseCookies } from '../http/cookies.ts'
import { type BalancerName, createBalancer } from './create.ts'
import type { Balancer, BackendState } from './types.ts'

export interface BackendTarget extends BackendState {
  url: string
  origin: string
  /** Path of the backend URL ('' for '/'), prepended to the upstream path. */
  basePath: string
  /** This backend's own health-check overrides (merged last). */
  healthCheck?: BackendConfig['health_check']
  /** Verdict of active health checks (true until checks say otherwise). */
  healthy: boolean
  /** Active-check streaks, for healthy_after / unhealthy_after. */
  checkSuccesses: number
  checkFailures: number
  /** Passive outlier detection: consecutive failed exchanges, ejection end (ms), times ejected. */
  consecutiveErrors: number
  ejectedUntil: number
  ejections: number
  /** Error-rate window of passive detection: start time, exchanges and errors in it. */
  windowStart: number
  windowRequests: number
  windowErrors: number
}

export interface BackendPool {
  readonly targets: readonly BackendTarget[]
  readonly balancer: Balancer<BackendTarget>
  /** Balancing key for this request; '' when the balancer does not use one. */
  key(clientIp: string, path: string, headers: Headers): string
  /** The balancer's choice if it can take traffic, else the next one that can; null if none. */
  pick(key: string, now: number): BackendTarget | null
  /** Like pick, avoiding `tried` (retries go to another backend where one is available). */
  pickExcluding(key: string, now: number, tried: readonly BackendTarget[]): BackendTarget | null
  /** Passive outlier detection, when configured. */
  readonly outlier: OutlierDetector | null
}

export function isAvailable(t: BackendTarget, now: number): boolean {
  return t.healthy && t.ejectedUntil <= now
}

export function toTargets(backends: readonly BackendConfig[]): BackendTarget[] {
  return backends.map((b) => {
    const u = new URL(b.url)
    return {
      id: b.url,
      url: b.url,
      weight: b.weight,
      inflight: 0,
      ewmaMs: 0,
      origin: u.origin,
      basePath: u.pathname === '/' ? '' : u.pathname,
      healthCheck: b.health_check,
      healthy: true,
      checkSuccesses: 0,
      checkFailures: 0,
      consecutiveErrors: 0,
      ejectedUntil: 0,
      ejections: 0,
      windowStart: 0,
      windowRequests: 0,
      windowErrors: 0,
    }
  })
}

const HASHED = new Set<LoadBalancerName>(['ip_hash', 'consistent_hash', 'maglev'])

function noKey(): string {
  return ''
}

type KeyFn = (clientIp: string, path: string, headers: Headers) => string

function keyFunction(name: LoadBalancerName, cfg: ConsistentHashConfig | undefined): KeyFn {
  if (!HASHED.has(name)) return noKey
  const kind = cfg?.key ?? 'ip'
  if (kind === 'header') {
    const header = cfg!.header_name!.toLowerCase()
    return (ip, _path, headers) => headers.get(header) ?? ip // no header: fall back to the client address
  }
  if (kind === 'cookie') {
    const cookie = cfg!.cookie_name!
    return (ip, _path, headers) => parseCookies(headers.get('cookie')).get(cookie) ?? ip
  }
  if (kind === 'path') return (_ip, path) => path
  return (ip) => ip
}

export function createPool(
  targets: readonly BackendTarget[],
  name: LoadBalancerName = 'round_robin',
  hashing?: ConsistentHashConfig,
  outlier: OutlierDetector | null = null,
): BackendPool {
  const balancer = createBalancer(name as BalancerName, targets, hashing?.replicas)
  return {
    targets,
    balancer,
    key: keyFunction(name, hashing),
    outlier,
    pick(key, now) {
      const first = balancer.pick({ key })
      if (isAvailable(first, now)) return first
      // Skip unavailable backends in list order from the chosen one: keyed requests move to
      // the same neighbour every time, so affinity survives as well as it can.
      const at = targets.indexOf(first)
      for (let k = 1; k < targets.length; k++) {
        const t = targets[(at + k) % targets.length]
        if (isAvailable(t, now)) return t
      }
      return null
    },
    pickExcluding(key, now, tried) {
      const first = balancer.pick({ key })
      const at = targets.indexOf(first)
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(at + k) % targets.length]
        if (!tried.includes(t) && isAvailable(t, now)) return t
      }
      return null
    },
  }
}
