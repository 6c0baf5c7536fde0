/**
 * A pool of backends as the proxy uses it: live per-backend state shared by every route that
 * names the same upstream (so least_conn sees all their traffic), a balancer, and the key
 * function for hash-based balancers — all built once per config version.
 * @module
 */
import type { BackendConfig, ConsistentHashConfig, LoadBalancerName } from '../config/types.ts'
import { parseCookies } from '../router/matchers.ts'
import { type BalancerName, createBalancer } from './create.ts'
import type { Balancer, BackendState } from './types.ts'

export interface BackendTarget extends BackendState {
  url: string
  origin: string
  /** Path of the backend URL ('' for '/'), prepended to the upstream path. */
  basePath: string
}

export interface BackendPool {
  readonly targets: readonly BackendTarget[]
  readonly balancer: Balancer<BackendTarget>
  /** Balancing key for this request; '' when the balancer does not use one. */
  key(clientIp: string, path: string, headers: Headers): string
}

export function toTargets(backends: readonly BackendConfig[]): BackendTarget[] {
  return backends.map((b) => {
    const u = new URL(b.url)
    return { id: b.url, url: b.url, weight: b.weight, inflight: 0, ewmaMs: 0, origin: u.origin, basePath: u.pathname === '/' ? '' : u.pathname }
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
): BackendPool {
  return {
    targets,
    balancer: createBalancer(name as BalancerName, targets, hashing?.replicas),
    key: keyFunction(name, hashing),
  }
}
