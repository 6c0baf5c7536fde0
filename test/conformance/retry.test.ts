import { describe, expect, test, vi } from 'vitest'
import { getJson } from './client.ts'

const id = () => `${Date.now()}-${Math.random()}`

describe('retries', () => {
  test('a retryable status is retried until it succeeds (within max_retries)', async () => {
    const { res, json } = await getJson(`/retry/flaky?id=${id()}&fail=2`)
    expect(res.status).toBe(200)
    expect(json.calls).toBe(3)
  })

  test('retries stop at max_retries and the last answer is returned', async () => {
    const { res, json } = await getJson(`/retry/flaky?id=${id()}&fail=5`)
    expect(res.status).toBe(503)
    expect(json.calls).toBe(3) // 1 try + 2 retries
  })

  test('a connect failure is retried on another backend', async () => {
    for (let i = 0; i < 6; i++) {
      const { res, json } = await getJson('/retry-other/x')
      expect(res.status).toBe(200)
      expect(json.server).toBe('A')
    }
  })

  test('non-idempotent methods are not retried unless configured', async () => {
    const { res, json } = await getJson(`/retry/flaky?id=${id()}&fail=1`, { method: 'POST', body: 'x' })
    expect(res.status).toBe(503)
    expect(json.calls).toBe(1)
  })

  test('an idempotent PUT with a small body is replayed whole on retry', async () => {
    const { res, json } = await getJson(`/retry/flaky?id=${id()}&fail=1`, { method: 'PUT', body: 'replay-me' })
    expect(res.status).toBe(200)
    expect(json).toMatchObject({ calls: 2, bodyLength: 9 })
  })

  test('an exhausted retry budget means no retry', async () => {
    const { res, json } = await getJson(`/retry-no-budget/flaky?id=${id()}&fail=1`)
    expect(res.status).toBe(503)
    expect(json.calls).toBe(1)
  })
})

describe('concurrency limit', () => {
  test('beyond max_concurrent the route answers 503 at once; the admitted request completes', async () => {
    const slow = getJson('/limited/slow?ms=800')
    // Refused as soon as the slow one is admitted (well inside its 800 ms).
    await vi.waitFor(async () => {
      const { res, json } = await getJson('/limited/x')
      expect(res.status).toBe(503)
      expect(json.error.code).toBe('concurrency_limited')
    }, { timeout: 700, interval: 20 })
    expect((await slow).res.status).toBe(200)
    expect((await getJson('/limited/x')).res.status).toBe(200)
  })
})

describe('hedging', () => {
  test('a slow first try is hedged after delay: the fast answer wins and the slow try is cancelled upstream', async () => {
    const hid = id()
    const started = Date.now()
    const { res, json } = await getJson(`/hedged/hedge?id=${hid}`)
    expect(res.status).toBe(200)
    expect(json.calls).toBe(2)
    expect(Date.now() - started).toBeLessThan(2000) // the stalled try would take 3 s
    let aborted: boolean | null = null
    for (let i = 0; i < 30 && aborted !== true; i++) {
      await new Promise((r) => setTimeout(r, 100))
      aborted = (await getJson(`/up/aborted?id=${encodeURIComponent(hid)}`)).json.aborted
    }
    expect(aborted).toBe(true)
  })
})
