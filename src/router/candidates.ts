/**
 * A list of routes competing for the same path, and the per-request pick among them: the first
 * (by rank) whose conditions and method hold. Lists with many host-specific routes (virtual
 * hosting: hundreds of routes on `/` told apart by domain) are indexed by exact host, so the
 * pick does not scan every host's routes.
 * @module
 */
import { type Conditions, conditionsHold, exactHostsOnly, type RequestFacts, requestHost } from './matchers.ts'

export interface Entry<T> {
  route: T
  /** Lower wins. Exact and prefix routes: declaration order; patterns: their sorted position. */
  rank: number
  /** null = every method. */
  methods: Set<string> | null
  conditions: Conditions | null
  /** Patterns only: segment index → param name (null for literal segments). */
  paramNames: (string | null)[] | null
  /** Patterns ending in `*` (or with `path_prefix`): the rest of the path is captured. */
  wildcard: boolean
}

export interface Candidates<T> {
  /** Routes not indexed by host, by rank. */
  open: Entry<T>[]
  /** Exact host → routes that name it (all their domains exact), by rank. */
  byHost: Map<string, Entry<T>[]> | null
}

/** What one search carries besides the facts: the 405 bookkeeping. */
export interface PickState {
  facts: RequestFacts
  /** Methods of routes that matched everything but the method. */
  allow: Set<string>
}

/** Below this many host-specific routes a linear scan is cheaper than the extra lookup. */
const HOST_INDEX_MIN = 8
const NONE: never[] = []

/** `entries` must be sorted by rank. */
export function buildCandidates<T>(entries: Entry<T>[]): Candidates<T> {
  const hosted = entries.filter((e) => exactHostsOnly(e.conditions))
  if (hosted.length < HOST_INDEX_MIN) return { open: entries, byHost: null }
  const byHost = new Map<string, Entry<T>[]>()
  for (const e of hosted) {
    for (const host of e.conditions!.hosts!) {
      const list = byHost.get(host)
      if (list === undefined) byHost.set(host, [e])
      else list.push(e)
    }
  }
  return { open: entries.filter((e) => !exactHostsOnly(e.conditions)), byHost }
}

/** RFC 9110 §9.3.2: HEAD is answered like GET, so a route allowing GET allows HEAD. */
export function methodSet(methods: readonly string[]): Set<string> | null {
  if (methods.length === 0) return null
  const set = new Set(methods.map((m) => m.toUpperCase()))
  if (set.has('GET')) set.add('HEAD')
  return set
}

function accepts<T>(e: Entry<T>, st: PickState, skipHost: boolean): boolean {
  if (e.conditions !== null && !conditionsHold(e.conditions, st.facts, skipHost)) return false
  if (e.methods === null || e.methods.has(st.facts.method)) return true
  for (const m of e.methods) st.allow.add(m)
  return false
}

/**
 * The best entry of `c` with rank below `limit` that fits the request, or null. Walks the open
 * list and the host's list in rank order together (a merge), so declaration order holds across
 * both.
 */
export function pick<T>(c: Candidates<T>, st: PickState, limit: number): Entry<T> | null {
  const open = c.open
  const hosted = c.byHost === null ? NONE : (c.byHost.get(requestHost(st.facts)) ?? NONE)
  let a = 0
  let b = 0
  while (a < open.length || b < hosted.length) {
    const fromOpen = b >= hosted.length || (a < open.length && open[a].rank < hosted[b].rank)
    const e = fromOpen ? open[a++] : hosted[b++]
    if (e.rank >= limit) return null
    if (accepts(e, st, !fromOpen)) return e
  }
  return null
}
