/**
 * Stateless and load-aware balancers: round_robin (smooth weighted), random (weighted),
 * least_conn, p2c and least_response_time (EWMA with P2C sampling, so one fast backend is
 * not stampeded the moment it looks best).
 * @module
 */
import type { Balancer, BackendState } from './types.ts'

function totalWeight(items: readonly BackendState[]): number {
  let t = 0
  for (const b of items) t += b.weight
  return t
}

/** Weighted random index (cumulative weights, linear scan: backend lists are short). */
function weightedIndex(items: readonly BackendState[], total: number): number {
  let r = Math.random() * total
  for (let i = 0; i < items.length; i++) {
    r -= items[i].weight
    if (r < 0) return i
  }
  return items.length - 1
}

export function createSmoothRoundRobin<T extends BackendState>(items: readonly T[]): Balancer<T> {
  const current = new Array<number>(items.length).fill(0)
  const total = totalWeight(items)
  return {
    pick() {
      let best = 0
      for (let i = 0; i < items.length; i++) {
        current[i] += items[i].weight
        if (current[i] > current[best]) best = i
      }
      current[best] -= total
      return items[best]
    },
  }
}

export function createRandom<T extends BackendState>(items: readonly T[]): Balancer<T> {
  const total = totalWeight(items)
  return { pick: () => items[weightedIndex(items, total)] }
}

/** Fewest in-flight requests per unit of weight; ties rotate so equal backends share. */
export function createLeastConn<T extends BackendState>(items: readonly T[]): Balancer<T> {
  let rotate = 0
  return {
    pick() {
      rotate = (rotate + 1) % items.length
      let best = items[rotate]
      let bestScore = best.inflight / best.weight
      for (let k = 1; k < items.length; k++) {
        const b = items[(rotate + k) % items.length]
        const score = b.inflight / b.weight
        if (score < bestScore) {
          best = b
          bestScore = score
        }
      }
      return best
    },
  }
}

/** Power of two choices: two weighted-random candidates, the one scoring lower wins. */
function createTwoChoices<T extends BackendState>(items: readonly T[], score: (b: T) => number): Balancer<T> {
  const total = totalWeight(items)
  return {
    pick() {
      if (items.length === 1) return items[0]
      const a = weightedIndex(items, total)
      let b = weightedIndex(items, total)
      if (b === a) b = (a + 1 + Math.floor(Math.random() * (items.length - 1))) % items.length
      return score(items[b]) < score(items[a]) ? items[b] : items[a]
    },
  }
}

export function createP2C<T extends BackendState>(items: readonly T[]): Balancer<T> {
  return createTwoChoices(items, (b) => b.inflight / b.weight)
}

/** Unsampled backends score 0, so each gets tried; then EWMA latency × (in-flight + 1). */
export function createLeastResponseTime<T extends BackendState>(items: readonly T[]): Balancer<T> {
  return createTwoChoices(items, (b) => (b.ewmaMs * (b.inflight + 1)) / b.weight)
}
