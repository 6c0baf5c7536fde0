/**
 * The route table, compiled once per config. Precedence (deterministic, documented in
 * docs/routing.md): exact literal paths > patterns (`:param`, trailing `*`; more literal
 * segments first) > prefixes, longest first > declaration order. A candidate whose
 * domains/headers/query/cookies do not match is skipped and the next one tried.
 * Per request: one Map lookup for exact paths, one per path level for prefixes.
 * @module
 */
import type { RouteConfig } from '../config/types.ts'
import { compileMatchers, hostOnly, type MatchInput, parseCookies, type Predicate } from './matchers.ts'

export type RouteInput = Pick<RouteConfig, 'id' | 'path' | 'path_prefix' | 'methods' | 'match'>

export type MatchResult<T> =
  | { kind: 'match'; route: T; params: Record<string, string>; matched: string }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'none' }

export interface Router<T> {
  match(method: string, host: string | null, path: string, headers: Headers, url: URL): MatchResult<T>
}

interface Entry<T> {
  route: T
  order: number
  /** null = every method. HEAD is allowed wherever GET is (RFC 9110 §9.3.2). */
  methods: Set<string> | null
  predicate: Predicate | null
  /** Pattern routes only: literal segment or ':name'; `wildcard` = trailing `*` or prefix. */
  segments: string[] | null
  wildcard: boolean
  /** Literal prefix for strip_prefix (prefix and pattern routes). */
  prefix: string
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>

function methodSet(methods: readonly string[]): Set<string> | null {
  if (methods.length === 0) return null
  const set = new Set(methods.map((m) => m.toUpperCase()))
  if (set.has('GET')) set.add('HEAD')
  return set
}

function trimSlash(p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p
}

function decodeParam(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

export function compileRouter<T extends RouteInput>(routes: readonly T[]): Router<T> {
  const exact = new Map<string, Entry<T>[]>()
  const prefixes = new Map<string, Entry<T>[]>()
  const patterns: Entry<T>[] = []
  let anyCookies = false

  routes.forEach((route, order) => {
    const segs = route.path.split('/').slice(1)
    const isPattern = segs.some((s) => s.startsWith(':') || s === '*')
    const entry: Entry<T> = {
      route,
      order,
      methods: methodSet(route.methods),
      predicate: compileMatchers(route.match),
      segments: null,
      wildcard: false,
      prefix: '',
    }
    if (route.match.cookies.length > 0) anyCookies = true
    if (isPattern) {
      entry.wildcard = route.path_prefix || segs[segs.length - 1] === '*'
      entry.segments = segs[segs.length - 1] === '*' || (route.path_prefix && segs[segs.length - 1] === '') ? segs.slice(0, -1) : segs
      const firstDynamic = segs.findIndex((s) => s.startsWith(':') || s === '*')
      entry.prefix = `/${segs.slice(0, firstDynamic).join('/')}`
      patterns.push(entry)
    } else if (route.path_prefix) {
      entry.prefix = trimSlash(route.path)
      const list = prefixes.get(entry.prefix) ?? []
      list.push(entry)
      prefixes.set(entry.prefix, list)
    } else {
      entry.prefix = route.path
      const list = exact.get(route.path) ?? []
      list.push(entry)
      exact.set(route.path, list)
    }
  })
  const literalCount = (e: Entry<T>) => e.segments!.filter((s) => !s.startsWith(':')).length
  patterns.sort((a, b) => literalCount(b) - literalCount(a) || Number(a.wildcard) - Number(b.wildcard) || a.order - b.order)

  function matchPattern(e: Entry<T>, parts: string[]): Record<string, string> | null {
    const segs = e.segments!
    if (e.wildcard ? parts.length < segs.length : parts.length !== segs.length) return null
    let params: Record<string, string> | null = null
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]
      if (s.startsWith(':')) {
        if (parts[i] === '') return null
        params ??= {}
        params[s.slice(1)] = decodeParam(parts[i])
      } else if (s !== parts[i]) return null
    }
    if (e.wildcard) {
      params ??= {}
      params['*'] = parts.slice(segs.length).join('/')
    }
    return params ?? NO_PARAMS
  }

  return {
    match(method, host, path, headers, url) {
      let cookieCache: Map<string, string> | null = null
      const input: MatchInput = {
        host: hostOnly(host),
        headers,
        url,
        cookies: anyCookies ? () => (cookieCache ??= parseCookies(headers.get('cookie'))) : () => new Map(),
      }
      let allow: Set<string> | null = null
      const consider = (e: Entry<T>): boolean => {
        if (e.predicate !== null && !e.predicate(input)) return false
        if (e.methods === null || e.methods.has(method)) return true
        allow ??= new Set()
        for (const m of e.methods) allow.add(m)
        return false
      }

      const exactList = exact.get(path)
      if (exactList !== undefined) {
        for (const e of exactList) if (consider(e)) return { kind: 'match', route: e.route, params: NO_PARAMS, matched: e.prefix }
      }
      if (patterns.length > 0) {
        const parts = path.split('/').slice(1)
        if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
        for (const e of patterns) {
          const params = matchPattern(e, parts)
          if (params !== null && consider(e)) return { kind: 'match', route: e.route, params, matched: e.prefix }
        }
      }
      if (prefixes.size > 0) {
        let p = trimSlash(path)
        for (;;) {
          const list = prefixes.get(p)
          if (list !== undefined) {
            for (const e of list) if (consider(e)) return { kind: 'match', route: e.route, params: NO_PARAMS, matched: e.prefix }
          }
          if (p === '') break
          p = p.slice(0, p.lastIndexOf('/'))
        }
      }
      const allowed: Set<string> | null = allow
      if (allowed !== null) return { kind: 'method_not_allowed', allow: [...allowed].sort() }
      return { kind: 'none' }
    },
  }
}
