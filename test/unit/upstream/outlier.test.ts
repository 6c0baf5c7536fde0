import { describe, expect, test } from 'vitest'
import { createHttpEndpoint, isAvailable } from '../../../src/upstream/endpoint.ts'
import { createOutlierDetector } from '../../../src/upstream/outlier.ts'

const targets = (n: number) => Array.from({ length: n }, (_, i) => createHttpEndpoint({ url: `http://10.0.0.${i + 1}:80`, weight: 1 }))
const outlierCfg = { enabled: true, consecutive_errors: 3, base_ejection_duration: 1000, max_ejection_duration: 3000, max_ejection_percent: 50, min_requests: 20, window: 10_000 }

describe('passive outlier detection', () => {
  test('ejects after consecutive errors, with exponential ejection time capped', () => {
    const pool = targets(4)
    const d = createOutlierDetector(outlierCfg, pool)
    const t = pool[0]
    d.failure(t, 0)
    d.failure(t, 0)
    expect(isAvailable(t, 0)).toBe(true)
    d.failure(t, 0)
    expect(t.ejectedUntil).toBe(1000)
    for (let i = 0; i < 3; i++) d.failure(t, 2000)
    expect(t.ejectedUntil).toBe(4000) // 2 × base
    for (let i = 0; i < 3; i++) d.failure(t, 5000)
    expect(t.ejectedUntil).toBe(8000) // 4 × base capped at max 3000
  })

  test('a success resets the streak', () => {
    const pool = targets(2)
    const d = createOutlierDetector(outlierCfg, pool)
    d.failure(pool[0], 0)
    d.failure(pool[0], 0)
    d.success(pool[0])
    d.failure(pool[0], 0)
    expect(isAvailable(pool[0], 0)).toBe(true)
  })

  test('max_ejection_percent keeps the pool from being emptied by ejection alone', () => {
    const pool = targets(2)
    const d = createOutlierDetector(outlierCfg, pool)
    for (const t of pool) for (let i = 0; i < 3; i++) d.failure(t, 0)
    expect(pool.filter((t) => isAvailable(t, 0))).toHaveLength(1)
  })
})

describe('error-rate outlier detection', () => {
  test('outlier detection ejects on an error rate even without consecutive errors', () => {
    const pool = targets(4)
    const d = createOutlierDetector({ ...outlierCfg, consecutive_errors: 100, error_rate_threshold: 0.5, min_requests: 10 }, pool)
    const t = pool[0]
    for (let i = 0; i < 9; i++) (i % 2 === 0 ? d.failure(t, 100) : d.success(t, 100)) // 5 of 9 failed, below min_requests
    expect(isAvailable(t, 100)).toBe(true)
    d.failure(t, 100) // 6 of 10 ≥ 50%
    expect(isAvailable(t, 100)).toBe(false)
  })
})
