import { describe, expect, test } from 'vitest'
import { createPool, isAvailable, toTargets } from '../../../src/balancer/pool.ts'
import { compileStatusPatterns, resolveHealthCheck } from '../../../src/resilience/health-check.ts'
import { createOutlierDetector } from '../../../src/resilience/outlier.ts'
import { createAdaptiveLimiter } from '../../../src/resilience/adaptive-concurrency.ts'
import { createCircuitBreaker } from '../../../src/resilience/circuit-breaker.ts'
import { createRetryPolicy } from '../../../src/resilience/retry.ts'

const targets = (n: number) => toTargets(Array.from({ length: n }, (_, i) => ({ url: `http://10.0.0.${i + 1}:80`, weight: 1 })))
const outlierCfg = { consecutive_errors: 3, base_ejection_time: 1000, max_ejection_time: 3000, max_ejection_percent: 50, min_requests: 20, window: 10_000 }

describe('health-check config', () => {
  test('expected_status patterns 200, 2xx and 200-299', () => {
    const ok = compileStatusPatterns(['204', '3xx', '400-404'])
    expect([204, 301, 399, 400, 404].every(ok)).toBe(true)
    expect([200, 405, 500].some(ok)).toBe(false)
  })

  test('global → upstream → route merge: later layers win, defaults fill the rest', () => {
    const c = resolveHealthCheck({ interval: 5000, path: '/g' }, { path: '/u' }, undefined)!
    expect(c).toMatchObject({ path: '/u', interval: 5000, timeout: 5000, healthy_after: 2, unhealthy_after: 3, method: 'GET' })
    expect(resolveHealthCheck(undefined, undefined)).toBeNull()
  })
})

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

describe('pool picking', () => {
  test('unavailable backends are skipped; none available gives null', () => {
    const pool = targets(3)
    const p = createPool(pool, 'consistent_hash')
    const first = p.pick('user-1', 0)!
    first.healthy = false
    const second = p.pick('user-1', 0)!
    expect(second).not.toBe(first)
    expect(p.pick('user-1', 0)).toBe(second) // the same neighbour every time
    for (const t of pool) t.healthy = false
    expect(p.pick('user-1', 0)).toBeNull()
  })
})

describe('retry backoff', () => {
  test('full-jitter backoff stays within [0, min(max, initial × multiplier^n)]', () => {
    const policy = createRetryPolicy({
      max_retries: 3,
      initial_backoff: 10,
      max_backoff: 50,
      backoff_multiplier: 2,
      retryable_statuses: [503],
      retryable_methods: ['GET'],
      budget: { ratio: 0.2, min_retries: 3, window: 10_000 },
      max_replay_bytes: 1024,
    })!
    for (let i = 0; i < 1000; i++) {
      expect(policy.backoffMs(0)).toBeLessThanOrEqual(10)
      expect(policy.backoffMs(5)).toBeLessThanOrEqual(50)
    }
    expect(policy.methodAllowed('POST')).toBe(false)
    expect(policy.statusRetryable(503)).toBe(true)
    expect(createRetryPolicy(undefined)).toBeNull()
  })
})

describe('circuit breaker', () => {
  const cfg = { enabled: true, failure_threshold: 3, max_requests: 1, timeout: 1000, mode: 'local' as const, min_requests: 20, window: 10_000 }

  test('closed → open after the threshold → half-open after timeout → closed on a good trial', () => {
    const b = createCircuitBreaker(cfg)
    for (let i = 0; i < 2; i++) b.failure(0)
    expect(b.state(0)).toBe('closed')
    b.failure(0)
    expect(b.allow(10)).toBe(false)
    expect(b.retryAfter(10)).toBe(1)
    expect(b.state(1000)).toBe('half_open')
    expect(b.allow(1000)).toBe(true)
    expect(b.allow(1000)).toBe(false) // only max_requests trials
    b.success()
    expect(b.state(1001)).toBe('closed')
  })

  test('a failed trial opens it again for a full timeout', () => {
    const b = createCircuitBreaker(cfg)
    for (let i = 0; i < 3; i++) b.failure(0)
    expect(b.allow(1500)).toBe(true)
    b.failure(1500)
    expect(b.state(2000)).toBe('open')
    expect(b.state(2500)).toBe('half_open')
  })
})

describe('error-rate options', () => {
  test('outlier detection ejects on an error rate even without consecutive errors', () => {
    const pool = targets(4)
    const d = createOutlierDetector({ ...outlierCfg, consecutive_errors: 100, error_rate_threshold: 0.5, min_requests: 10 }, pool)
    const t = pool[0]
    for (let i = 0; i < 9; i++) (i % 2 === 0 ? d.failure(t, 100) : d.success(t, 100)) // 5 of 9 failed, below min_requests
    expect(isAvailable(t, 100)).toBe(true)
    d.failure(t, 100) // 6 of 10 ≥ 50%
    expect(isAvailable(t, 100)).toBe(false)
  })

  test('the circuit opens on an error rate over the window', () => {
    const b = createCircuitBreaker({ enabled: true, failure_threshold: 100, max_requests: 1, timeout: 1000, mode: 'local', error_rate_threshold: 0.3, min_requests: 10, window: 10_000 })
    for (let i = 0; i < 7; i++) b.success(50)
    b.failure(50)
    b.failure(50)
    expect(b.state(50)).toBe('closed') // 2 of 9, and below min_requests
    b.failure(50) // 3 of 10 = 30%
    expect(b.state(50)).toBe('open')
  })
})

describe('adaptive concurrency (AIMD on latency)', () => {
  const cfg = { enabled: true, min_limit: 2, max_limit: 50, initial_limit: 10, latency_tolerance: 2, decrease_ratio: 0.5 }

  test('refuses beyond the current limit', () => {
    const l = createAdaptiveLimiter({ ...cfg, initial_limit: 2 })
    expect(l.acquire()).toBe(true)
    expect(l.acquire()).toBe(true)
    expect(l.acquire()).toBe(false)
    l.release(10, false)
    expect(l.acquire()).toBe(true)
  })

  test('grows by one per limit good completions, shrinks multiplicatively when latency degrades', () => {
    const l = createAdaptiveLimiter(cfg)
    for (let i = 0; i < 10; i++) {
      l.acquire()
      l.release(10, false)
    }
    expect(l.limit).toBe(11)
    l.acquire()
    l.release(100, false) // 10 × baseline: degraded
    expect(l.limit).toBe(5)
    for (let i = 0; i < 5; i++) {
      l.acquire()
      l.release(0, true) // failures shrink it down to min_limit, never below
    }
    expect(l.limit).toBe(2)
  })
})

describe('health-check layering down to the backend', () => {
  test('a backend block overrides upstream and global settings', () => {
    const c = resolveHealthCheck({ interval: 5000 }, { path: '/u', unhealthy_after: 4 }, undefined, { path: '/b' })!
    expect(c).toMatchObject({ path: '/b', interval: 5000, unhealthy_after: 4 })
  })
})
