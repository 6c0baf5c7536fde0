/**
 * The real client address. Forwarded headers are believed only when the TCP peer is a
 * configured trusted proxy (`trusted_proxies.cidrs`); otherwise any client could claim any
 * address. X-Forwarded-For is walked right to left (the rightmost entries were added by the
 * proxies nearest to us), skipping trusted hops, as RFC 7239 §5.2 advises for Forwarded.
 * @module
 */
import type { TrustedProxiesConfig } from '../config/types.ts'
import { compileCidrs } from './cidr.ts'
import { formatIp, parseIp } from './ip.ts'

export type ClientIpResolver = (peer: string, headers: Headers) => string

export function createClientIpResolver(options: TrustedProxiesConfig): ClientIpResolver {
  const trusted = compileCidrs(options.cidrs, 'trusted_proxies.cidrs')
  if (trusted.size === 0) {
    return function peerAddress(peer) {
      return formatIp(peer)
    }
  }
  const headerNames = options.headers.map((h) => h.toLowerCase())
  const maxHops = options.max_hops > 0 ? options.max_hops : Number.POSITIVE_INFINITY
  return function trustedClientIp(peer, headers) {
    const addr = formatIp(peer)
    if (!trusted.has(addr)) return addr
    for (const name of headerNames) {
      const value = headers.get(name)
      if (value === null) continue
      if (name === 'x-forwarded-for') {
        const hops = value.split(',')
        let seen = 0
        for (let i = hops.length - 1; i >= 0 && seen < maxHops; i--, seen++) {
          const hop = formatIp(hops[i].trim())
          if (parseIp(hop) === null) break
          if (!trusted.has(hop) || i === 0) return hop
        }
      } else {
        const hop = formatIp(value.trim())
        if (parseIp(hop) !== null) return hop
      }
    }
    return addr
  }
}
