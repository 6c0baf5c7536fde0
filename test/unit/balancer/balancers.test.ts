/**
 * Measured properties of every balancer over ≥ 100k keys/picks: weighted splits, key movement
 * when a backend leaves, maglev balance, and load awareness.
 */
import { describe, expect, test } from 'vitest'
import { createBalancer, type BalancerName } from '../../../src/balancer/create.ts'
import { recordLatency, type BackendState } from '../../../src/balancer/types.ts'

const backends = (weights: number[]): BackendState[] => weights.map((weight, i) => ({ id: `http://10.0.0.${i + 1}:80`, weight, inflight: 0, ewmaMs: 0 }))
const keys = Array.from({ length: 100_000 }, (_, i) => `user-${i}-${(i * 2654435761) >>> 0}`)

function shares(name: BalancerName, weights: number[], byKey: boolean): number[] {
  const items = backends(weights)
  const b = createBalancer(name, items)
  const counts = new Map(items.map((x) => [x, 0]))
  for (const key of keys) {
    const picked = b.pick({ key: byKey ? key : '' })
    counts.set(picked, counts.get(picked)! + 1)
  }
  return items.map((x) => counts.get(x)! / keys.length)
}

describe('weighted splits are within ±2% of target (100k picks)', () => {
  const weights = [5, 3, 2]
  const target = [0.5, 0.3, 0.2]
  for (const [name, byKey] of [
    ['round_robin', false],
    ['random', false],
    ['ip_hash', true],
    ['consistent_hash', true],
    ['maglev', true],
  ] as const) {
    test(name, () => {
      const s = shares(name, weights, byKey)
      // The measured figures, printed with the run (issue 3 asks to see them, not only the verdict).
      console.log(`${name}: shares ${s.map((x) => x.toFixed(4)).join(' / ')} for weights 5/3/2 over ${keys.length} keys`)
      for (const [i, share] of s.entries()) {
        expect(Math.abs(share - target[i]), `${name} backend ${i}: ${share}`).toBeLessThanOrEqual(0.02)
      }
    })
  }

  test('smooth round robin interleaves 2:1 as A B A, never A A B B', () => {
    const items = backends([2, 1])
    const b = createBalancer('round_robin', items)
    expect(Array.from({ length: 6 }, () => items.indexOf(b.pick({ key: '' }))).join('')).toBe('010010')
  })
})

describe('key-affine balancers when one of N backends is removed', () => {
  for (const name of ['consistent_hash', 'maglev'] as const) {
    test(`${name}: ≤ 1/N + 2% of keys move, and only as the algorithm allows`, () => {
      const n = 5
      const before = backends(new Array(n).fill(1))
      const after = before.filter((_, i) => i !== 2)
      const b1 = createBalancer(name, before)
      const b2 = createBalancer(name, after)
      let moved = 0
      let movedFromSurvivors = 0
      for (const key of keys) {
        const x = b1.pick({ key })
        const y = b2.pick({ key })
        if (x.id !== y.id) {
          moved++
          if (x.id !== before[2].id) movedFromSurvivors++
        }
      }
      console.log(`${name}: removing 1 of ${n} moved ${((100 * moved) / keys.length).toFixed(2)}% of keys (${((100 * movedFromSurvivors) / keys.length).toFixed(2)}% from surviving backends)`)
      expect(moved / keys.length).toBeLessThanOrEqual(1 / n + 0.02)
      // A ring keeps every surviving key in place; Maglev trades a small disruption for balance.
      if (name === 'consistent_hash') expect(movedFromSurvivors).toBe(0)
      else expect(movedFromSurvivors / keys.length).toBeLessThanOrEqual(0.02)
    })
  }

  test('maglev balances equal backends within ±5%', () => {
    const s = shares('maglev', [1, 1, 1, 1, 1, 1, 1], true)
    console.log(`maglev balance over 7 equal backends: ${s.map((x) => (x * 7).toFixed(3)).join(' ')} (1.000 = even)`)
    for (const share of s) expect(Math.abs(share - 1 / 7) / (1 / 7)).toBeLessThanOrEqual(0.05)
  })

  test('the same key always lands on the same backend', () => {
    for (const name of ['ip_hash', 'consistent_hash', 'maglev'] as const) {
      const b = createBalancer(name, backends([1, 1, 1]))
      const first = b.pick({ key: '203.0.113.7' })
      for (let i = 0; i < 100; i++) expect(b.pick({ key: '203.0.113.7' })).toBe(first)
    }
  })
})

describe('load-aware balancers', () => {
  test('least_conn picks the backend with the fewest in-flight requests per weight', () => {
    const items = backends([1, 1, 1])
    items[0].inflight = 5
    items[1].inflight = 1
    items[2].inflight = 3
    const b = createBalancer('least_conn', items)
    for (let i = 0; i < 10; i++) expect(b.pick({ key: '' })).toBe(items[1])
  })

  test('p2c avoids the busiest backend almost always', () => {
    const items = backends([1, 1, 1, 1])
    items[3].inflight = 100
    const b = createBalancer('p2c', items)
    let busy = 0
    for (let i = 0; i < 10_000; i++) if (b.pick({ key: '' }) === items[3]) busy++
    expect(busy).toBe(0) // it only wins a pair if both candidates are itself, which p2c prevents
  })

  test('least_response_time prefers the fast backend but keeps sampling others (no stampede)', () => {
    const items = backends([1, 1, 1])
    recordLatency(items[0], 5)
    recordLatency(items[1], 50)
    recordLatency(items[2], 50)
    const b = createBalancer('least_response_time', items)
    const counts = [0, 0, 0]
    for (let i = 0; i < 30_000; i++) counts[items.indexOf(b.pick({ key: '' }))]++
    expect(counts[0] / 30_000).toBeGreaterThan(0.55) // wins every pair it is in (2/3 of pairs)
    expect(counts[0] / 30_000).toBeLessThan(0.75)
    expect(counts[1] + counts[2]).toBeGreaterThan(0)
  })

  test('EWMA follows recent latency', () => {
    const [b] = backends([1])
    recordLatency(b, 100)
    for (let i = 0; i < 20; i++) recordLatency(b, 10)
    expect(b.ewmaMs).toBeLessThan(11)
  })
})
