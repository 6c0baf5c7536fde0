/**
 * Who a limit counts against: `ip`, `client_id`, `header:<n>`, `cookie:<n>` or `jwt_claim:<n>`.
 * Compiled once per policy into a function. Anything but `ip` falls back to the client IP when
 * the request does not carry it (Kong does the same), so omitting a header never escapes the
 * limit. The kind is part of the value (`h:…`, `ip:…`), so a header value cannot collide with
 * an address; long values are hashed to bound the store key. No spec (Runway's `per_ip: false`,
 * and spike_arrest's default) is one bucket for the whole route: every request counts as `*`.
 * @module
 */
import type { RequestContext } from '../core/context.ts'
import { cookieValue } from '../http/cookies.ts'

export type KeyFn = (ctx: RequestContext) => string

const MAX_RAW = 128

/** `*` has no kind prefix, so no per-client key can equal it. */
function routeKey(): string {
  return '*'
}

export function createKeyFn(spec: string | undefined): KeyFn {
  if (spec === undefined) return routeKey
  const raw = createRawKeyFn(spec)
  if (spec === 'ip') return function ipKey(ctx) {
    return `ip:${ctx.clientIp}`
  }
  const tag = spec === 'client_id' ? 'c' : spec[0]!
  return function limitKey(ctx) {
    const v = raw(ctx)
    return v === null || v === '' ? `ip:${ctx.clientIp}` : `${tag}:${v.length > MAX_RAW ? hash(v) : v}`
  }
}

/** The value named by `spec`, or null when the request does not carry it (tier lookups). */
export function createRawKeyFn(spec: string): (ctx: RequestContext) => string | null {
  if (spec === 'ip') return (ctx) => ctx.clientIp
  if (spec === 'client_id') return (ctx) => ctx.clientId
  const colon = spec.indexOf(':')
  const kind = spec.slice(0, colon)
  const name = spec.slice(colon + 1)
  if (kind === 'header') {
    const lower = name.toLowerCase()
    return (ctx) => ctx.request.headers.get(lower)
  }
  if (kind === 'cookie') return (ctx) => cookieValue(ctx.request.headers.get('cookie'), name)
  if (kind === 'jwt_claim') {
    return (ctx) => {
      const v = ctx.claims?.[name]
      return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null
    }
  }
  throw new Error(`unknown limit key "${spec}"`)
}


/** Two FNV-1a passes with different offsets: 64 bits, enough to keep keys apart. */
function hash(s: string): string {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193)
  }
  return `#${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`
}
