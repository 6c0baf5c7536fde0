/**
 * Smooth weighted round robin (as nginx does it): weights 2:1 give A B A, A B A … rather
 * than A A B bursts. Each pick is O(backends) integer work, no allocation.
 * @module
 */

export interface Weighted {
  weight: number
}

export interface Balancer<T> {
  next(): T
}

export function createRoundRobin<T extends Weighted>(items: readonly T[]): Balancer<T> {
  if (items.length === 0) throw new Error('round robin needs at least one backend')
  if (items.length === 1) {
    const only = items[0]
    return { next: () => only }
  }
  const current = new Array<number>(items.length).fill(0)
  let total = 0
  for (const item of items) total += item.weight
  return {
    next(): T {
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
