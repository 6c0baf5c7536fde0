/**
 * Key-affine balancers: ip_hash (weighted modulo; simple, reshuffles on change), consistent_hash
 * (a ring of `replicas × weight` virtual nodes: removing one of N backends moves only its ~1/N
 * of keys) and maglev (Eurich et al., NSDI 2016: a prime-sized lookup table, O(1) lookups,
 * near-perfect balance, minimal disruption; weights honoured by filling turns in proportion).
 * @module
 */
import { hash32 } from './hash.ts'
import type { Balancer, BackendState } from './types.ts'

export function createIpHash<T extends BackendState>(items: readonly T[]): Balancer<T> {
  const cumulative: number[] = []
  let total = 0
  for (const b of items) {
    total += b.weight
    cumulative.push(total)
  }
  return {
    pick({ key }) {
      const point = hash32(key) % total
      let i = 0
      while (cumulative[i] <= point) i++
      return items[i]
    },
  }
}

export function createConsistentHash<T extends BackendState>(items: readonly T[], replicas = 150): Balancer<T> {
  const points: { at: number; owner: number }[] = []
  items.forEach((b, owner) => {
    const count = Math.max(1, replicas * b.weight)
    for (let r = 0; r < count; r++) points.push({ at: hash32(`${b.id}#${r}`), owner })
  })
  points.sort((x, y) => x.at - y.at)
  const ring = Uint32Array.from(points, (p) => p.at)
  const owners = Uint32Array.from(points, (p) => p.owner)
  return {
    pick({ key }) {
      const h = hash32(key)
      // First virtual node clockwise from the key's point (binary search), wrapping at the end.
      let lo = 0
      let hi = ring.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (ring[mid] < h) lo = mid + 1
        else hi = mid
      }
      return items[owners[lo === ring.length ? 0 : lo]]
    },
  }
}

const MAGLEV_SIZES = [65537, 131071, 262139, 524287, 1048573]

export function createMaglev<T extends BackendState>(items: readonly T[], tableSize?: number): Balancer<T> {
  const m = tableSize ?? MAGLEV_SIZES.find((p) => p >= items.length * 100) ?? MAGLEV_SIZES[MAGLEV_SIZES.length - 1]
  const n = items.length
  const offset = items.map((b) => hash32(b.id, 0xa5a5) % m)
  const skip = items.map((b) => (hash32(b.id, 0x5a5a) % (m - 1)) + 1)
  const next = new Array<number>(n).fill(0)
  const claimed = new Array<number>(n).fill(0)
  const table = new Int32Array(m).fill(-1)
  for (let filled = 0; filled < m; filled++) {
    // The backend furthest below its weighted share takes the next turn.
    let i = 0
    for (let k = 1; k < n; k++) if (claimed[k] / items[k].weight < claimed[i] / items[i].weight) i = k
    let slot = (offset[i] + next[i] * skip[i]) % m
    while (table[slot] >= 0) {
      next[i]++
      slot = (offset[i] + next[i] * skip[i]) % m
    }
    table[slot] = i
    next[i]++
    claimed[i]++
  }
  return { pick: ({ key }) => items[table[hash32(key) % m]] }
}
