/**
 * Runway `sticky`: a client keeps its `traffic_split` group across requests (Runway docs,
 * traffic-routing/traffic-management.md "Sticky Sessions"). `cookie`: the group named in a
 * cookie set on the answer; `header`: FNV-32a of the `hash_key` header over the groups' weight
 * slots (no header: no pin); `hash`: the same, with the client address when the header is
 * absent. The hash and slot rule are Runway's, so a client keeps its group when it moves from
 * Runway to Portico. Every answer of a sticky route names its group in `X-AB-Variant`.
 * @module
 */
import type { StickyConfig } from '../config/types.ts'
import type { HeaderBag } from '../core/headers.ts'
import { cookieValue } from '../http/cookies.ts'
import type { HttpEndpoint } from './endpoint.ts'
import type { BackendPool } from './pool.ts'

type HttpPool = BackendPool<HttpEndpoint>

/** What sticky needs of a split group. */
export interface StickyGroup {
  name: string
  weight: number
  pool: HttpPool
}

export interface StickyPolicy<G extends StickyGroup = StickyGroup> {
  /** The group this client is pinned to; null when nothing pins it (match_headers, then weights decide). */
  find(headers: Headers, clientIp: string): G | null
  /** X-AB-Variant, and the pin cookie unless the request already carries it, for the group of `pool`. */
  mark(head: HeaderBag, pool: HttpPool, request: Headers): void
}

const encoder = new TextEncoder()

/** FNV-1a, 32 bits, over the UTF-8 bytes (Go's hash/fnv New32a, which Runway uses). */
export function fnv32a(input: string): number {
  let h = 0x811c9dc5
  for (const b of encoder.encode(input)) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}

/** The group whose weight slot the hash falls in (Runway's hashToGroup); null when all weights are 0. */
export function groupForHash<G extends StickyGroup>(input: string, groups: readonly G[], total: number): G | null {
  if (total <= 0) return null
  const slot = fnv32a(input) % total
  let cumulative = 0
  for (const g of groups) {
    cumulative += g.weight
    if (slot < cumulative) return g
  }
  return groups[groups.length - 1]
}

// RFC 6265 §4.1.1 cookie-octets: a group name outside them is percent-encoded in the cookie.
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/
// A field value the Headers API keeps as given (visible ASCII, inner spaces): else the cookie token.
const FIELD_VALUE = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/

export function createStickyPolicy<G extends StickyGroup>(cfg: StickyConfig, groups: readonly G[]): StickyPolicy<G> | null {
  if (!cfg.enabled || cfg.mode === undefined) return null
  const { mode, cookie_name: cookieName } = cfg
  const hashKey = (cfg.hash_key ?? '').toLowerCase()
  const total = groups.reduce((n, g) => n + g.weight, 0)
  const tokenOf = new Map<HttpPool, { variant: string; token: string }>()
  const byToken = new Map<string, G>()
  for (const g of groups) {
    const token = COOKIE_OCTETS.test(g.name) ? g.name : encodeURIComponent(g.name)
    tokenOf.set(g.pool, { variant: FIELD_VALUE.test(g.name) ? g.name : token, token })
    if (!byToken.has(token)) byToken.set(token, g)
  }
  // Runway: ttl 0 means the default, a day.
  const maxAge = Math.floor((cfg.ttl || 86_400_000) / 1000)

  function find(headers: Headers, clientIp: string): G | null {
    if (mode === 'cookie') {
      const token = cookieValue(headers.get('cookie'), cookieName)
      // A cookie naming no group (an old deploy's, a forged one) pins nothing.
      return token === null ? null : (byToken.get(token) ?? null)
    }
    const value = headers.get(hashKey)
    if (value !== null && value !== '') return groupForHash(value, groups, total)
    return mode === 'hash' && clientIp !== '' ? groupForHash(clientIp, groups, total) : null
  }

  function mark(head: HeaderBag, pool: HttpPool, request: Headers): void {
    const group = tokenOf.get(pool)
    if (group === undefined) return
    head.set('x-ab-variant', group.variant)
    if (mode !== 'cookie' || cookieValue(request.get('cookie'), cookieName) === group.token) return
    head.append('set-cookie', `${cookieName}=${group.token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax`)
  }

  return { find, mark }
}
