import { describe, expect, test } from 'vitest'
import { createRetryBudget, type RetryBudget } from '../../../src/resilience/retry-budget.ts'

const defaults = { ratio: 0.2, min_retries: 3, window: 10_000 }

/**
 * One request through the budget, as the proxy's try loop drives it: `fails` tries fail, up to
 * `maxRetries` retries are asked for. Returns the tries made.
 */
function run(budget: RetryBudget, now: number, fails: number, maxRetries: number): number {
  budget.request(now)
  let retried = 0
  while (retried < Math.min(fails, maxRetries) && budget.tryRetry(now, retried)) retried++
  budget.finish(retried)
  return retried + 1
}

describe('retry budget', () => {
  test('one dead backend of three, sequential traffic: every retry is granted, however many requests', () => {
    const budget = createRetryBudget(defaults)
    let denied = 0
    // 10 000 requests in 5 s (2 000/s, far beyond any window's ratio): every third needs one retry.
    for (let i = 0; i < 10_000; i++) {
      const needs = i % 3 === 0 ? 1 : 0
      if (run(budget, i / 2, needs, 2) !== needs + 1) denied++
    }
    expect(denied).toBe(0)
    expect(budget.inFlight()).toEqual({ requests: 0, retrying: 0 })
  })

  test('a flood: retrying requests stay under max(min_retries, ratio × in flight) and the window ratio', () => {
    const budget = createRetryBudget({ ratio: 0.2, min_retries: 3, window: 0 })
    for (let i = 0; i < 100; i++) budget.request(0)
    let granted = 0
    for (let i = 0; i < 100; i++) if (budget.tryRetry(0, 0)) granted++
    expect(granted).toBe(20) // 0.2 × 100 in flight
    expect(budget.inFlight()).toEqual({ requests: 100, retrying: 20 })
    // A request already retrying keeps its slot for its next retry only while the ratio allows.
    expect(budget.tryRetry(0, 1)).toBe(true) // the 19 others < 0.2 × 100
    for (let i = 0; i < 5; i++) budget.finish(0) // five denied requests leave: 95 in flight
    expect(budget.tryRetry(0, 1)).toBe(false) // 19 others, not < 0.2 × 95
    expect(budget.tryRetry(0, 0)).toBe(false)
  })

  test('the min_retries floor is concurrent: three at once always, a fourth not without ratio room', () => {
    const budget = createRetryBudget({ ratio: 0, min_retries: 3, window: 10_000 })
    for (let i = 0; i < 4; i++) budget.request(0)
    expect([0, 1, 2, 3].map(() => budget.tryRetry(0, 0))).toEqual([true, true, true, false])
    budget.finish(1) // a retrying request ends: its slot is free again
    expect(budget.tryRetry(0, 0)).toBe(true)
  })

  test('the window caps retries at ratio × requests over window, above the floor', () => {
    const budget = createRetryBudget({ ratio: 0.5, min_retries: 0, window: 30_000 })
    let tries = 0
    for (let i = 0; i < 20; i++) tries += run(budget, i * 10, 3, 3)
    expect(tries).toBe(30) // 20 requests + 10 retries
    // Once the window has slid past, new traffic earns new retries.
    expect(run(budget, 100_000, 3, 3)).toBe(1) // 1 request: 0.5 retries, not a whole one
    expect(run(budget, 100_001, 3, 3)).toBe(2) // 2 requests: 1 retry
  })

  test('ratio 0 and min_retries 0: no retry at all', () => {
    const budget = createRetryBudget({ ratio: 0, min_retries: 0, window: 10_000 })
    expect(run(budget, 0, 1, 3)).toBe(1)
  })
})
