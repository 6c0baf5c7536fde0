import { describe, expect, test } from 'vitest'
import { createHttpEndpoint } from '../../../src/upstream/endpoint.ts'
import { createPool } from '../../../src/upstream/pool.ts'

const targets = (n: number) => Array.from({ length: n }, (_, i) => createHttpEndpoint({ url: `http://10.0.0.${i + 1}:80`, weight: 1 }))

describe('pool picking', () => {
  test('unavailable backends are skipped; none available gives null', () => {
    const pool = targets(3)
    const p = createPool(pool, { load_balancer: 'consistent_hash' })
    const first = p.pick('user-1', 0)!
    first.healthy = false
    const second = p.pick('user-1', 0)!
    expect(second).not.toBe(first)
    expect(p.pick('user-1', 0)).toBe(second) // the same neighbour every time
    for (const t of pool) t.healthy = false
    expect(p.pick('user-1', 0)).toBeNull()
  })
})
