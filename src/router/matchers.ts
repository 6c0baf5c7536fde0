/**
 * Request matchers beyond the path (`match.domains/headers/query/cookies`), compiled once
 * into a single predicate per route; routes without matchers get none at all.
 * @module
 */
import type { HeaderMatch } from '../config/types.ts'

export interface MatchInput {
  /** Lower-cased host without port. */
  host: string
  headers: Headers
  url: URL
  /** Parsed lazily, at most once per request. */
  cookies: () => Map<string, string>
}

export type Predicate = (input: MatchInput) => boolean

function valueTest(m: HeaderMatch): (value: string | null | undefined) => boolean {
  if (m.regex !== undefined) {
    const re = new RegExp(m.regex)
    return (v) => v !== null && v !== undefined && re.test(v)
  }
  if (m.value !== undefined) {
    const want = m.value
    return (v) => v === want
  }
  const present = m.present !== false
  return (v) => (v !== null && v !== undefined) === present
}

/** `*.example.com` matches any subdomain depth but not the apex; others match exactly. */
export function compileDomains(domains: readonly string[]): ((host: string) => boolean) | null {
  if (domains.length === 0) return null
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const d of domains) {
    const lower = d.toLowerCase()
    if (lower.startsWith('*.')) suffixes.push(lower.slice(1))
    else exact.add(lower)
  }
  return function domainMatch(host) {
    if (exact.has(host)) return true
    for (const s of suffixes) if (host.length > s.length && host.endsWith(s)) return true
    return false
  }
}

export function compileMatchers(match: {
  domains: readonly string[]
  headers: readonly HeaderMatch[]
  query: readonly HeaderMatch[]
  cookies: readonly HeaderMatch[]
}): Predicate | null {
  const checks: Predicate[] = []
  const domain = compileDomains(match.domains)
  if (domain !== null) checks.push((i) => domain(i.host))
  for (const h of match.headers) {
    const name = h.name.toLowerCase()
    const test = valueTest(h)
    checks.push((i) => test(i.headers.get(name)))
  }
  for (const q of match.query) {
    const test = valueTest(q)
    checks.push((i) => test(i.url.searchParams.get(q.name)))
  }
  for (const c of match.cookies) {
    const test = valueTest(c)
    checks.push((i) => test(i.cookies().get(c.name)))
  }
  if (checks.length === 0) return null
  if (checks.length === 1) return checks[0]
  return function allMatch(input) {
    for (const check of checks) if (!check(input)) return false
    return true
  }
}

/** RFC 6265 §5.4 Cookie header: `a=1; b=2`; the first occurrence of a name wins. */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>()
  if (header === null) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    const name = part.slice(0, eq).trim()
    if (name !== '' && !out.has(name)) out.set(name, part.slice(eq + 1).trim())
  }
  return out
}

/** Host header → lower-case host without port (`[::1]:8080` → `[::1]`). */
export function hostOnly(host: string | null): string {
  if (host === null) return ''
  const h = host.toLowerCase()
  if (h.startsWith('[')) {
    const end = h.indexOf(']')
    return end === -1 ? h : h.slice(0, end + 1)
  }
  const colon = h.indexOf(':')
  return colon === -1 ? h : h.slice(0, colon)
}
