/**
 * Route conditions beyond the path (`match.domains/headers/query/cookies`), compiled once per
 * route into plain data (sets, suffixes, RegExps) that `conditionsHold` reads per request:
 * no closure is created and no regex built per request.
 * @module
 */
import { parseCookies } from '../http/cookies.ts'
import type { HeaderMatch } from '../config/types.ts'

/** What a request offers the conditions; one per router, reused, filled lazily. */
export interface RequestFacts {
  method: string
  rawHost: string | null
  /** Lower-cased host without port, computed on first use. */
  host: string
  hostReady: boolean
  headers: Headers
  url: URL
  /** Parsed on first use by a cookie condition, at most once per request. */
  cookies: Map<string, string> | null
}

const VALUE = 0
const PRESENT = 1
const ABSENT = 2
const REGEX = 3

interface ValueTest {
  name: string
  kind: number
  value: string
  regex: RegExp | null
}

export interface Conditions {
  /** null = any host. */
  hosts: Set<string> | null
  /** `*.example.com` → `.example.com`. */
  suffixes: string[]
  headers: ValueTest[]
  query: ValueTest[]
  cookies: ValueTest[]
}

export interface MatchConfig {
  domains: readonly string[]
  headers: readonly HeaderMatch[]
  query: readonly HeaderMatch[]
  cookies: readonly HeaderMatch[]
}

/** Host header → lower-case host without port or final dot (`[::1]:8080` → `[::1]`). */
export function hostOnly(host: string | null): string {
  if (host === null) return ''
  let h = host.toLowerCase()
  if (h.startsWith('[')) {
    const end = h.indexOf(']')
    return end === -1 ? h : h.slice(0, end + 1)
  }
  const colon = h.indexOf(':')
  if (colon !== -1) h = h.slice(0, colon)
  // RFC 1034 §3.1: `example.com.` is the absolute form of the same name.
  return h.endsWith('.') ? h.slice(0, -1) : h
}

function compileValueTests(list: readonly HeaderMatch[], lowerNames: boolean, where: string): ValueTest[] {
  return list.map((m, i) => {
    const given = Number(m.value !== undefined) + Number(m.present !== undefined) + Number(m.regex !== undefined)
    if (given !== 1) throw new Error(`${where}.${i}: needs exactly one of value, present, regex`)
    const name = lowerNames ? m.name.toLowerCase() : m.name
    if (m.regex !== undefined) {
      let regex: RegExp
      try {
        regex = new RegExp(m.regex)
      } catch (err) {
        throw new Error(`${where}.${i}.regex: ${(err as Error).message}`)
      }
      return { name, kind: REGEX, value: '', regex }
    }
    if (m.value !== undefined) return { name, kind: VALUE, value: m.value, regex: null }
    return { name, kind: m.present ? PRESENT : ABSENT, value: '', regex: null }
  })
}

/** null when the route has no conditions at all (the common case: nothing to check). */
export function compileConditions(match: MatchConfig, where: string): Conditions | null {
  let hosts: Set<string> | null = null
  const suffixes: string[] = []
  if (match.domains.length > 0 && !match.domains.includes('*')) {
    hosts = new Set()
    for (const d of match.domains) {
      if (d.startsWith('*.')) suffixes.push(hostOnly(d.slice(1)))
      else hosts.add(hostOnly(d))
    }
  }
  const c: Conditions = {
    hosts,
    suffixes,
    headers: compileValueTests(match.headers, true, `${where}.headers`),
    query: compileValueTests(match.query, false, `${where}.query`),
    cookies: compileValueTests(match.cookies, false, `${where}.cookies`),
  }
  const none = hosts === null && c.headers.length === 0 && c.query.length === 0 && c.cookies.length === 0
  return none ? null : c
}

/** Whether every domain is an exact name, so the route can be indexed by host. */
export function exactHostsOnly(c: Conditions | null): boolean {
  return c !== null && c.hosts !== null && c.suffixes.length === 0
}

function valueHolds(t: ValueTest, v: string | null | undefined): boolean {
  if (t.kind === VALUE) return v === t.value
  if (t.kind === PRESENT) return v !== null && v !== undefined
  if (t.kind === ABSENT) return v === null || v === undefined
  return v !== null && v !== undefined && t.regex!.test(v)
}

/** The request's host as the conditions compare it, computed once per request. */
export function requestHost(f: RequestFacts): string {
  if (!f.hostReady) {
    f.host = hostOnly(f.rawHost)
    f.hostReady = true
  }
  return f.host
}

function hostHolds(c: Conditions, f: RequestFacts): boolean {
  const host = requestHost(f)
  if (c.hosts!.has(host)) return true
  for (let i = 0; i < c.suffixes.length; i++) {
    const s = c.suffixes[i]
    // `*.example.com`: any depth of subdomain, never the apex itself.
    if (host.length > s.length && host.endsWith(s)) return true
  }
  return false
}

/** `skipHost`: the caller already selected the route by its exact host. */
export function conditionsHold(c: Conditions, f: RequestFacts, skipHost: boolean): boolean {
  if (c.hosts !== null && !skipHost && !hostHolds(c, f)) return false
  for (let i = 0; i < c.headers.length; i++) {
    const t = c.headers[i]
    if (!valueHolds(t, f.headers.get(t.name))) return false
  }
  for (let i = 0; i < c.query.length; i++) {
    const t = c.query[i]
    if (!valueHolds(t, f.url.searchParams.get(t.name))) return false
  }
  if (c.cookies.length > 0) {
    f.cookies ??= parseCookies(f.headers.get('cookie'))
    for (let i = 0; i < c.cookies.length; i++) {
      const t = c.cookies[i]
      if (!valueHolds(t, f.cookies.get(t.name))) return false
    }
  }
  return true
}

