import { describe, expect, inject, test, vi } from 'vitest'
import { admin, getJson } from './client.ts'

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

describe('retry budget (defaults: ratio 0.2, min_retries 3, window 10s)', () => {
  const upC = inject('upC')
  const control = async (q: string) => (await (await fetch(`${upC}/__control?${q}`)).json()) as { hits: number }
  const retries = async (route: string): Promise<number> => {
    const text = await (await admin('/metrics')).text()
    const m = new RegExp(`^portico_retries_total\\{route="${route}"\\} (\\d+)$`, 'm').exec(text)
    return m === null ? 0 : Number(m[1])
  }

  test('one of three backends refuses connections: 300 sequential GETs, zero errors', async () => {
    const before = await retries('retry-dead')
    const failed: number[] = []
    const servers = new Set<string>()
    for (let i = 0; i < 300; i++) {
      const { res, json } = await getJson(`/retry-dead/x?i=${i}`)
      if (res.status !== 200) failed.push(res.status)
      else servers.add(json.server)
    }
    expect(failed).toEqual([])
    expect([...servers].sort()).toEqual(['A', 'B'])
    // The dead backend stayed in rotation (no ejection configured): about every third request was retried.
    expect((await retries('retry-dead')) - before).toBeGreaterThanOrEqual(90)
  })

  test('a flood against a failing upstream: tries stay near requests × (1 + ratio), far below × (1 + max_retries)', async () => {
    await control('mode=up&reset=1')
    try {
      const requests = 100
      const started = Date.now()
      // Every try times out (per_try_timeout 500ms against a 5 s answer): a 504, retryable.
      const statuses = await Promise.all(
        Array.from({ length: requests }, async (_, i) => (await getJson(`/retry-flood/slow?ms=5000&i=${i}`)).res.status),
      )
      const took = Date.now() - started
      expect(statuses.filter((s) => s !== 504)).toEqual([])
      const { hits } = await control('')
      console.log(`retry flood: ${requests} requests → ${hits} upstream tries in ${took} ms`)
      expect(hits).toBeGreaterThan(requests) // retries did happen (the min_retries floor at least)
      // Budget: retries ≤ ratio × requests over the window, plus at most min_retries requests
      // retrying at once on the floor (each for up to max_retries tries).
      expect(hits).toBeLessThanOrEqual(requests * 1.2 + 3 * 2)
    } finally {
      await control('mode=up&reset=1')
    }
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
