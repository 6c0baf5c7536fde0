/**
 * IP allow/deny lists (Runway `ip_filter`), checked against the client address the gateway
 * resolved (trusted proxies already applied). Addresses and CIDRs are compared in one 128-bit
 * form where IPv4 is IPv4-mapped (RFC 4291 §2.5.5.2), so `::ffff:10.0.0.1` from a dual-stack
 * socket is `10.0.0.1` for both lists: a deny of `10.0.0.0/8` cannot be dodged by spelling.
 *
 * The global filter runs before routing (every request, routed or not); a route's own filter is
 * its `ip_filter` policy, after it. A route can only narrow the global list, never re-admit, and
 * a route's `enabled: false` turns off its own filter only (Runway evaluates both the same way:
 * docs/security/security.md "IP Filtering").
 * @module
 */
import type { IpFilterConfig } from '../config/types-policies.ts'
import { GatewayError } from '../core/errors.ts'
import type { RoutePolicy } from '../core/policy.ts'
import { compileCidrs } from '../net/cidr.ts'
import { parseIp } from '../net/ip.ts'


/** true = the client may pass. Callers refuse with `GatewayError(403, 'ip_forbidden', …)`. */
export type IpFilter = (clientIp: string) => boolean

const PREFIX = /^\d{1,3}$/

/**
 * Stricter than `compileCidrs` on two entries that would silently widen a list:
 * `10.0.0.0/` (an empty prefix would read as /0, every IPv4 address) and an IPv4-mapped prefix
 * shorter than /96 (`::ffff:10.0.0.0/8` spans far more than 10/8, including all of IPv4).
 */
function checkEntries(entries: readonly string[], where: string): void {
  entries.forEach((entry, i) => {
    const slash = entry.indexOf('/')
    if (slash === -1) return
    const bits = entry.slice(slash + 1).trim()
    if (!PREFIX.test(bits)) throw new Error(`${where}.${i}: "${entry}" has an invalid prefix length`)
    const addr = entry.slice(0, slash).trim()
    const words = addr.includes(':') ? parseIp(addr) : null
    if (words !== null && words[0] === 0 && words[1] === 0 && words[2] === 0xffff && Number(bits) < 96) {
      throw new Error(`${where}.${i}: "${entry}" is an IPv4-mapped prefix shorter than /96; write the IPv4 CIDR instead (for example 10.0.0.0/8)`)
    }
  })
}

/** `where` is the config path, so a bad entry is reported as `routes.3.ip_filter.allow.1: …`. */
export function createIpFilter(options: Partial<IpFilterConfig>, where: string): IpFilter {
  const allowList = options.allow ?? []
  const denyList = options.deny ?? []
  checkEntries(allowList, `${where}.allow`)
  checkEntries(denyList, `${where}.deny`)
  const allow = allowList.length > 0 ? compileCidrs(allowList, `${where}.allow`) : null
  const deny = compileCidrs(denyList, `${where}.deny`)
  if (allow === null && deny.size === 0) {
    return function ipFilterOpen() {
      return true
    }
  }
  if (options.order === 'allow_first' && allow !== null) {
    // Runway's allow_first (internal/middleware/ipfilter): an allow list, when there is one, decides alone.
    return function ipFilterAllowFirst(clientIp: string): boolean {
      return allow.has(clientIp)
    }
  }
  return function ipFilter(clientIp: string): boolean {
    if (deny.has(clientIp)) return false
    if (allow !== null) return allow.has(clientIp)
    // Fail closed: an address that cannot be parsed cannot be shown to be outside the deny list.
    return parseIp(clientIp) !== null
  }
}

/** The refusal of both the global and the route filter. */
export function ipForbidden(): GatewayError {
  return new GatewayError(403, 'ip_forbidden', 'client address not allowed')
}

/** The global `ip_filter`, run before routing; null when there is none or it is switched off. */
export function createGlobalIpFilter(block: IpFilterConfig | undefined): IpFilter | null {
  return block === undefined || block.enabled === false ? null : createIpFilter(block, 'ip_filter')
}

/** A route's `ip_filter`; null when the route has none or it is switched off. */
export function createIpFilterPolicy(block: IpFilterConfig | undefined, where: string): RoutePolicy | null {
  if (block === undefined || block.enabled === false) return null
  const allowed = createIpFilter(block, where)
  return {
    name: 'ip_filter',
    onRequest: function ipFilter(ctx) {
      if (!allowed(ctx.clientIp)) throw ipForbidden()
    },
  }
}
