/**
 * The balancing key of an HTTP request for the hash-based balancers (ip_hash, consistent_hash,
 * maglev), from `consistent_hash.key`: the client address (default), a header, a cookie or the
 * path. Other balancers need no key, so none is computed for them.
 * @module
 */
import type { ConsistentHashConfig, LoadBalancerName } from '../config/types.ts'
import { parseCookies } from '../http/cookies.ts'

export type BalanceKey = (clientIp: string, path: string, headers: Headers) => string

const HASHED = new Set<LoadBalancerName>(['ip_hash', 'consistent_hash', 'maglev'])

function noKey(): string {
  return ''
}

export function createBalanceKey(name: LoadBalancerName = 'round_robin', cfg: ConsistentHashConfig | undefined): BalanceKey {
  if (!HASHED.has(name)) return noKey
  const kind = cfg?.key ?? 'ip'
  if (kind === 'header') {
    const header = cfg!.header_name!.toLowerCase()
    return function headerKey(ip, _path, headers) {
      return headers.get(header) ?? ip // no header: fall back to the client address
    }
  }
  if (kind === 'cookie') {
    const cookie = cfg!.cookie_name!
    return function cookieKey(ip, _path, headers) {
      return parseCookies(headers.get('cookie')).get(cookie) ?? ip
    }
  }
  if (kind === 'path') return (_ip, path) => path
  return (ip) => ip
}
