/**
 * The segment trie holding pattern routes (`:param`, trailing `*`) and literal prefix routes.
 * A request walks it along its own segments, so the cost is O(path segments) (plus the
 * literal/param branches that really match), never O(routes).
 * @module
 */
import { buildCandidates, type Candidates, type Entry, type PickState, pick } from './candidates.ts'

export interface Node<T> {
  literal: Map<string, Node<T>> | null
  /** One child for every `:name` at this depth; the names live on the entries. */
  param: Node<T> | null
  /** Patterns ending exactly here. */
  ends: Candidates<T> | null
  /** Patterns with a trailing `*` here: this node plus zero or more further segments. */
  rest: Candidates<T> | null
  /** Literal prefix routes whose prefix ends here. */
  prefix: Candidates<T> | null
  /** Best (lowest) pattern rank in this subtree: a walk that cannot beat it stops early. */
  minRank: number
  building: { ends: Entry<T>[]; rest: Entry<T>[]; prefix: Entry<T>[] } | null
}

/** Per-router scratch for one search; reused across requests (match is synchronous). */
export interface Search<T> extends PickState {
  segs: string[]
  n: number
  best: Entry<T> | null
  bestRank: number
  /** Segments consumed by the winner before its `*`/prefix rest. */
  bestDepth: number
  /** Prefix walk: nodes on the request's path that hold prefix routes, and their depths. */
  stackNodes: Node<T>[]
  stackDepths: number[]
}

export function createNode<T>(): Node<T> {
  return { literal: null, param: null, ends: null, rest: null, prefix: null, minRank: Infinity, building: null }
}

/** Walks (creating) the path of `segments`; a segment starting with ':' is a param. */
export function nodeFor<T>(root: Node<T>, segments: readonly string[]): Node<T> {
  let node = root
  for (const s of segments) {
    if (s.startsWith(':')) {
      node.param ??= createNode()
      node = node.param
      continue
    }
    node.literal ??= new Map()
    let child = node.literal.get(s)
    if (child === undefined) {
      child = createNode()
      node.literal.set(s, child)
    }
    node = child
  }
  node.building ??= { ends: [], rest: [], prefix: [] }
  return node
}

function finishList<T>(list: Entry<T>[]): Candidates<T> | null {
  if (list.length === 0) return null
  list.sort((a, b) => a.rank - b.rank)
  return buildCandidates(list)
}

/** Turns the build lists into candidate lists and computes `minRank`, bottom-up. */
export function finishTrie<T>(node: Node<T>): number {
  let min = Infinity
  if (node.building !== null) {
    const { ends, rest, prefix } = node.building
    for (const e of ends) min = Math.min(min, e.rank)
    for (const e of rest) min = Math.min(min, e.rank)
    node.ends = finishList(ends)
    node.rest = finishList(rest)
    node.prefix = finishList(prefix)
    node.building = null
  }
  if (node.literal !== null) for (const child of node.literal.values()) min = Math.min(min, finishTrie(child))
  if (node.param !== null) min = Math.min(min, finishTrie(node.param))
  node.minRank = min
  return min
}

function offer<T>(c: Candidates<T> | null, s: Search<T>, depth: number): void {
  if (c === null) return
  const e = pick(c, s, s.bestRank)
  if (e === null) return
  s.best = e
  s.bestRank = e.rank
  s.bestDepth = depth
}

/**
 * Depth-first over every branch that matches the request's segments, keeping the best-ranked
 * pattern that fits. Ranks are global, so a literal branch and a param branch compete fairly;
 * subtrees whose `minRank` cannot win are skipped.
 */
export function walkPatterns<T>(node: Node<T>, i: number, s: Search<T>): void {
  if (node.minRank >= s.bestRank) return
  offer(node.rest, s, i)
  if (i === s.n) {
    offer(node.ends, s, i)
    return
  }
  const seg = s.segs[i]
  if (node.literal !== null) {
    const child = node.literal.get(seg)
    if (child !== undefined) walkPatterns(child, i + 1, s)
  }
  // A param never matches an empty segment (`/items/` is not `/items/:id`).
  if (node.param !== null && seg !== '') walkPatterns(node.param, i + 1, s)
}

/** Longest literal prefix first; among routes on the same prefix, declaration order. */
export function walkPrefixes<T>(root: Node<T>, s: Search<T>): Entry<T> | null {
  let count = 0
  let node: Node<T> | undefined = root
  for (let i = 0; node !== undefined; i++) {
    if (node.prefix !== null) {
      s.stackNodes[count] = node
      s.stackDepths[count++] = i
    }
    if (i === s.n || node.literal === null) break
    node = node.literal.get(s.segs[i])
  }
  for (let k = count - 1; k >= 0; k--) {
    const e = pick(s.stackNodes[k].prefix!, s, Infinity)
    if (e !== null) {
      s.bestDepth = s.stackDepths[k]
      return e
    }
  }
  return null
}
