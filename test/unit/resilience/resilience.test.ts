import { describe, expect, test } from 'vitest'
import { createAdaptiveLimiter } from '../../../src/resilience/adaptive-concurrency.ts'
import type { RouteConfig } from '../../../src/config/types.ts'
import { createBreakerRegistry, createCircuitBreaker } from '../../../src/resilience/circuit-breaker.ts'
import { createRetryPolicy } from '../../../src/resilience/retry.ts'

describe('retry budget and backoff', () => {

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

describe('error-rate circuit breaking', () => {
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
  const cfg = { enabled: true, min_concurrency: 2, max_concurrency: 50, initial_limit: 10, latency_tolerance: 2, decrease_ratio: 0.5 }

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
      l.release(0, true) // failures shrink it down to min_concurrency, never below
    }
    expect(l.limit).toBe(2)
  })
})

describe('breaker registry', () => {
  const block = { enabled: true, failure_threshold: 3, max_requests: 1, timeout: 1000, mode: 'local' as const, min_requests: 20, window: 10_000 }
  const route = (id: string, cb?: typeof block) => ({ id, circuit_breaker: cb }) as unknown as RouteConfig

  test('an unchanged block keeps its breaker (and an open circuit); a changed one starts closed; disabled gives none', () => {
    const reg = createBreakerRegistry()
    const v1 = reg.version()
    const kept = v1.forRoute(route('kept', block))!
    const changed = v1.forRoute(route('changed', block))!
    kept.force('open', 0)
    changed.force('open', 0)
    const v2 = reg.version()
    expect(v2.forRoute(route('kept', { ...block }))).toBe(kept)
    expect(v2.forRoute(route('changed', { ...block, failure_threshold: 4 }))!.state(0)).toBe('closed')
    expect(v2.forRoute(route('off', { ...block, enabled: false }))).toBeNull()
    expect([...v2.entries.keys()]).toEqual(['kept', 'changed'])
    v1.release()
    expect(reg.version().forRoute(route('kept', block))!.state(10)).toBe('open')
  })

  test('after a rejected version is released, the next one reuses the live version\'s breakers', () => {
    const reg = createBreakerRegistry()
    const live = reg.version().forRoute(route('r', block))!
    const rejected = reg.version()
    rejected.forRoute(route('r', { ...block, timeout: 5 }))
    rejected.release()
    expect(reg.version().forRoute(route('r', block))).toBe(live)
  })
})
