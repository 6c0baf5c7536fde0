/**
 * The route table, compiled once per config. Precedence (deterministic, see docs/routing.md):
 * exact literal paths > patterns (`:param`, trailing `*`; more literal segments first) >
 * prefixes, longest first > declaration order. A candidate whose domains/headers/query/cookies
 * or method do not fit is skipped and the next one tried; 405 only when nothing fits but some
 * route failed on the method alone.
 *
 * Per request: one Map lookup for exact paths; otherwise one split of the path and a walk of a
 * segment trie. No regex is built and no closure created per request; the scratch state is
 * reused (match is synchronous, so no two requests share it at once).
 * @module
 */
import type { RouteConfig } from '../config/types.ts'
import { buildCandidates, type Candidates, type Entry, methodSet, pick } from './candidates.ts'
import { compileConditions, type RequestFacts } from './matchers.ts'
import { normalizePath } from './normalize.ts'
import { createNode, finishTrie, nodeFor, type Search, walkPatterns, walkPrefixes } from './trie.ts'

export type RouteInput = Pick<RouteConfig, 'id' | 'path' | 'path_prefix' | 'methods' | 'match'>

export type MatchResult<T> =
  | { kind: 'match'; route: T; params: Record<string, string>; matched: string }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'none' }

export interface Router<T> {
  /** `path` must be normalised (`normalizePath`); `host` is the Host header (port allowed). */
  match(method: string, host: string | null, path: string, headers: Headers, url: URL): MatchResult<T>
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>
const NO_MATCH: MatchResult<never> = Object.freeze({ kind: 'none' })

interface PatternSpec<T> {
  entry: Entry<T>
  segments: string[]
  literals: number
}

/** Route path → segments; `/` has none, a trailing slash leaves a final ''. */
function segmentsOf(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/')
}

function isDynamic(segment: string): boolean {
  return segment.startsWith(':') || segment === '*'
}

function patternSpec<T>(entry: Entry<T>, route: RouteInput, segments: string[], where: string): PatternSpec<T> {
  const fixed = segments.slice()
  entry.wildcard = route.path_prefix
  if (fixed[fixed.length - 1] === '*') {
    fixed.pop()
    entry.wildcard = true
  } else if (route.path_prefix && fixed[fixed.length - 1] === '') {
    fixed.pop()
  }
  const seen = new Set<string>()
  entry.paramNames = fixed.map((s) => {
    if (s === '*') throw new Error(`${where}.path: "*" is only allowed as the last segment`)
    if (!s.startsWith(':')) return null
    const name = s.slice(1)
    if (name === '' || name === '*') throw new Error(`${where}.path: a ":" param needs a name`)
    if (seen.has(name)) throw new Error(`${where}.path: param ":${name}" appears twice`)
    seen.add(name)
    return name
  })
  return { entry, segments: fixed, literals: entry.paramNames.filter((n) => n === null).length }
}

/** Params are values, so they are fully decoded; a malformed UTF-8 escape stays as sent. */
function decodeParam(segment: string): string {
  if (!segment.includes('%')) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Splits a normalised path into `out` (reused), returning the segment count. */
function splitInto(path: string, out: string[]): number {
  if (path.length <= 1) return 0
  let n = 0
  let start = 1
  for (;;) {
    const slash = path.indexOf('/', start)
    if (slash === -1) {
      out[n++] = path.slice(start)
      return n
    }
    out[n++] = path.slice(start, slash)
    start = slash + 1
  }
}

/** Length of `path` covered by its first `depth` segments (`/a/b`, 1 → 2). */
function offsetOf(segs: readonly string[], depth: number): number {
  let offset = 0
  for (let k = 0; k < depth; k++) offset += 1 + segs[k].length
  return offset
}

function patternResult<T>(e: Entry<T>, path: string, s: Search<T>): MatchResult<T> {
  const names = e.paramNames!
  let params = NO_PARAMS
  for (let k = 0; k < names.length; k++) {
    const name = names[k]
    if (name === null) continue
    if (params === NO_PARAMS) params = {}
    params[name] = decodeParam(s.segs[k])
  }
  if (!e.wildcard) return { kind: 'match', route: e.route, params, matched: path }
  const offset = offsetOf(s.segs, s.bestDepth)
  if (params === NO_PARAMS) params = {}
  // The rest stays in its normalised, still-encoded form: decoding %2F would merge segments.
  params['*'] = offset + 1 < path.length ? path.slice(offset + 1) : ''
  return { kind: 'match', route: e.route, params, matched: path.slice(0, offset) }
}

export function compileRouter<T extends RouteInput>(routes: readonly T[]): Router<T> {
  const exactLists = new Map<string, Entry<T>[]>()
  const root = createNode<T>()
  const patterns: PatternSpec<T>[] = []
  let prefixCount = 0

  routes.forEach((route, order) => {
    const where = `routes.${order}`
    const path = normalizePath(route.path)
    if (path === null) throw new Error(`${where}.path: "${route.path}" is not a valid path`)
    const entry: Entry<T> = {
      route,
      rank: order,
      methods: methodSet(route.methods),
      conditions: compileConditions(route.match, `${where}.match`),
      paramNames: null,
      wildcard: false,
    }
    const segments = segmentsOf(path)
    if (segments.some(isDynamic)) {
      patterns.push(patternSpec(entry, route, segments, where))
    } else if (route.path_prefix) {
      // A prefix is a run of whole segments: `/api/` and `/api` are the same prefix.
      if (segments[segments.length - 1] === '') segments.pop()
      nodeFor(root, segments).building!.prefix.push(entry)
      prefixCount++
    } else {
      const list = exactLists.get(path)
      if (list === undefined) exactLists.set(path, [entry])
      else list.push(entry)
    }
  })

  // More literal segments first; `*` after a pattern without it; longer fixed part; order.
  patterns.sort(
    (a, b) =>
      b.literals - a.literals ||
      Number(a.entry.wildcard) - Number(b.entry.wildcard) ||
      b.segments.length - a.segments.length ||
      a.entry.rank - b.entry.rank,
  )
  patterns.forEach((p, rank) => {
    p.entry.rank = rank
    const building = nodeFor(root, p.segments).building!
    if (p.entry.wildcard) building.rest.push(p.entry)
    else building.ends.push(p.entry)
  })
  finishTrie(root)

  const exact = new Map<string, Candidates<T>>()
  for (const [path, list] of exactLists) exact.set(path, buildCandidates(list))
  const hasPatterns = patterns.length > 0
  const hasPrefixes = prefixCount > 0

  const facts: RequestFacts = {
    method: '',
    rawHost: null,
    host: '',
    hostReady: false,
    headers: new Headers(),
    url: new URL('http://router.invalid/'),
    cookies: null,
  }
  const idleHeaders = facts.headers
  const idleUrl = facts.url
  const s: Search<T> = {
    facts,
    allow: new Set(),
    segs: [],
    n: 0,
    best: null,
    bestRank: Infinity,
    bestDepth: 0,
    stackNodes: [],
    stackDepths: [],
  }

  function find(path: string): MatchResult<T> {
    const list = exact.get(path)
    if (list !== undefined) {
      const e = pick(list, s, Infinity)
      if (e !== null) return { kind: 'match', route: e.route, params: NO_PARAMS, matched: path }
    }
    if (hasPatterns || hasPrefixes) s.n = splitInto(path, s.segs)
    if (hasPatterns) {
      s.best = null
      s.bestRank = Infinity
      walkPatterns(root, 0, s)
      if (s.best !== null) return patternResult(s.best, path, s)
    }
    if (hasPrefixes) {
      const e = walkPrefixes(root, s)
      if (e !== null) return { kind: 'match', route: e.route, params: NO_PARAMS, matched: path.slice(0, offsetOf(s.segs, s.bestDepth)) }
    }
    if (s.allow.size > 0) return { kind: 'method_not_allowed', allow: [...s.allow].sort() }
    return NO_MATCH
  }

  return {
    match(method, host, path, headers, url) {
      facts.method = method
      facts.rawHost = host
      facts.hostReady = false
      facts.headers = headers
      facts.url = url
      facts.cookies = null
      if (s.allow.size > 0) s.allow.clear()
      const result = find(path)
      // Drop the request's objects so the router does not keep them alive until the next one.
      facts.headers = idleHeaders
      facts.url = idleUrl
      facts.cookies = null
      s.best = null
      return result
    },
  }
}
