/**
 * The shared store suite as plain async cases: no test-runner or Node imports, so the very same
 * cases run under vitest (memory, Redis, Upstash) and inside workerd (KV, Durable Object).
 * `run-store-suite.ts` registers them with vitest; the workerd test worker runs them in place.
 */
import type { RateRule, Store } from '../../src/core/store.ts'

export interface StoreCase {
  name: string
  /** Cases that only make sense for an atomic store (KV is not). */
  requires?: 'atomic'
  run(store: Store, key: (name: string) => string): Promise<void>
}

export class StoreCaseFailure extends Error {}

function eq<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) throw new StoreCaseFailure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}
function ok(cond: boolean, what: string): void {
  if (!cond) throw new StoreCaseFailure(what)
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** TTL of the expiry cases: long enough that a read right after the write is inside it. */
const TTL_MS = 1500

/** Polls `cond` every 50 ms until it holds, failing after `deadlineMs`. */
async function until(cond: () => Promise<boolean>, what: string, deadlineMs = 6000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!(await cond())) {
    if (Date.now() > end) throw new StoreCaseFailure(`${what}: not within ${deadlineMs} ms`)
    await sleep(50)
  }
}

const rule = (algorithm: RateRule['algorithm'], limit: number, rate: number, periodMs: number): RateRule => ({ algorithm, limit, rate, periodMs })

async function admitted(store: Store, key: string, r: RateRule, n: number): Promise<number> {
  let k = 0
  for (let i = 0; i < n; i++) if ((await store.limit(key, r)).allowed) k++
  return k
}

function bucketCases(algorithm: 'token_bucket' | 'gcra'): StoreCase[] {
  return [
    {
      name: `${algorithm}: admits the burst, then refuses with Retry-After and counts remaining down`,
      async run(store, key) {
        const r = rule(algorithm, 5, 1, 10_000)
        const k = key('burst')
        for (let i = 4; i >= 0; i--) {
          const d = await store.limit(k, r)
          eq(d.allowed, true, 'within burst')
          eq(d.remaining, i, 'remaining')
          eq(d.retryAfterMs, 0, 'retryAfter when allowed')
        }
        const d = await store.limit(k, r)
        eq(d.allowed, false, 'over burst')
        eq(d.remaining, 0, 'remaining when refused')
        ok(d.retryAfterMs > 9_000 && d.retryAfterMs <= 10_000, `retryAfterMs ≈ 10 s, got ${d.retryAfterMs}`)
        ok(d.resetMs > 49_000 && d.resetMs <= 50_000, `resetMs ≈ 50 s, got ${d.resetMs}`)
      },
    },
    {
      name: `${algorithm}: refills at rate/period and never above the burst`,
      async run(store, key) {
        // One unit back every 500 ms. A flood of 5 calls admits the burst, plus at most what its
        // own duration earned (a loaded machine can take longer than 500 ms for 5 round trips).
        const r = rule(algorithm, 2, 2, 1000)
        const k = key('refill')
        const flood = async (what: string) => {
          const started = Date.now()
          const n = await admitted(store, k, r, 5)
          const earned = Math.floor((Date.now() - started) / 500)
          ok(n >= 2 && n <= 2 + earned, `${what}: expected 2 (+ up to ${earned} earned during the flood), got ${n}`)
        }
        await flood('first flood')
        await sleep(1300) // 2.6 units earned, capped at 2
        await flood('after refill')
      },
    },
    {
      name: `${algorithm}: refused requests consume nothing`,
      async run(store, key) {
        const r = rule(algorithm, 1, 1, 1000) // one unit back every second
        const k = key('noconsume')
        eq((await store.limit(k, r)).allowed, true, 'first')
        for (let i = 0; i < 10; i++) eq((await store.limit(k, r)).allowed, false, 'hammering')
        await sleep(1100)
        eq((await store.limit(k, r)).allowed, true, 'one unit earned despite the refusals')
      },
    },
    {
      name: `${algorithm}: cost above 1 takes several units`,
      async run(store, key) {
        const r = rule(algorithm, 5, 1, 60_000)
        const k = key('cost')
        const a = await store.limit(k, r, 3)
        eq(a.allowed, true, 'cost 3 of 5')
        eq(a.remaining, 2, 'remaining after cost 3')
        eq((await store.limit(k, r, 3)).allowed, false, 'cost 3 of 2 left')
        eq((await store.limit(k, r, 2)).allowed, true, 'cost 2 of 2 left')
      },
    },
    {
      name: `${algorithm}: a concurrent flood admits exactly the burst`,
      requires: 'atomic',
      async run(store, key) {
        const r = rule(algorithm, 10, 1, 3_600_000)
        const k = key('flood')
        const all = await Promise.all(Array.from({ length: 200 }, () => store.limit(k, r)))
        eq(all.filter((d) => d.allowed).length, 10, 'admitted')
      },
    },
  ]
}

export const storeCases: StoreCase[] = [
  {
    name: 'get/set/delete round trip',
    async run(store, key) {
      const k = key('kv')
      eq(await store.get(k), null, 'absent')
      await store.set(k, 'héllo ✓')
      eq(await store.get(k), 'héllo ✓', 'after set')
      await store.set(k, 'v2')
      eq(await store.get(k), 'v2', 'overwritten')
      eq(await store.delete(k), true, 'delete existing')
      eq(await store.delete(k), false, 'delete absent')
      eq(await store.get(k), null, 'after delete')
    },
  },
  {
    name: 'set with a TTL expires',
    async run(store, key) {
      const k = key('ttl')
      const t0 = Date.now()
      await store.set(k, 'x', TTL_MS)
      const before = await store.get(k)
      // Only a read that surely happened inside the TTL says anything (a loaded machine can be late).
      if (Date.now() - t0 < TTL_MS) eq(before, 'x', 'before expiry')
      await until(async () => (await store.get(k)) === null, 'the key expired')
    },
  },
  {
    name: 'incr starts at 0, adds, and keeps the first TTL',
    async run(store, key) {
      const k = key('incr')
      const t0 = Date.now()
      eq(await store.incr(k, 1, TTL_MS), 1, 'first')
      const second = await store.incr(k, 5, 60_000)
      if (Date.now() - t0 < TTL_MS) eq(second, 6, 'second')
      // The second call's 60 s TTL must not replace the first one's.
      await until(async () => (await store.get(k)) === null, 'the first TTL ran out')
      eq(await store.incr(k, 1, TTL_MS), 1, 'after the first TTL ran out')
    },
  },
  {
    name: 'compareAndSet writes only over the expected value',
    async run(store, key) {
      const k = key('cas')
      eq(await store.compareAndSet(k, 'nope', 'a'), false, 'expected a value on an absent key')
      eq(await store.compareAndSet(k, null, 'a'), true, 'create when absent')
      eq(await store.compareAndSet(k, null, 'b'), false, 'create when present')
      eq(await store.compareAndSet(k, 'a', 'b'), true, 'swap')
      eq(await store.get(k), 'b', 'value after swap')
    },
  },
  {
    name: 'concurrent compareAndSet: exactly one winner',
    requires: 'atomic',
    async run(store, key) {
      const k = key('cas-race')
      const wins = await Promise.all(Array.from({ length: 50 }, (_, i) => store.compareAndSet(k, null, `w${i}`)))
      eq(wins.filter(Boolean).length, 1, 'winners')
    },
  },
  {
    name: 'concurrent incr loses no update',
    requires: 'atomic',
    async run(store, key) {
      const k = key('incr-race')
      await Promise.all(Array.from({ length: 200 }, () => store.incr(k, 1, 60_000)))
      eq(await store.incr(k, 0, 60_000), 200, 'total')
    },
  },
  ...bucketCases('token_bucket'),
  ...bucketCases('gcra'),
  {
    name: 'sliding_window: limit per window, previous window weighted, then free again',
    async run(store, key) {
      const r = rule('sliding_window', 5, 5, 1000)
      const k = key('sliding')
      eq(await admitted(store, k, r, 5), 5, 'first window')
      const d = await store.limit(k, r)
      eq(d.allowed, false, 'sixth')
      ok(d.retryAfterMs > 0 && d.retryAfterMs <= 2000, `retryAfterMs in (0, 2000], got ${d.retryAfterMs}`)
      await sleep(2050) // two windows later nothing of the flood weighs any more
      eq(await admitted(store, k, r, 7), 5, 'later window')
    },
  },
  {
    name: 'fixed_window: limit until the key expires',
    async run(store, key) {
      const r = rule('fixed_window', 3, 3, 1000)
      const k = key('fixed')
      eq(await admitted(store, k, r, 5), 3, 'window')
      const d = await store.limit(k, r)
      ok(!d.allowed && d.retryAfterMs > 0 && d.retryAfterMs <= 1000, `refused with retryAfter ≤ 1000, got ${JSON.stringify(d)}`)
      await sleep(1100)
      eq(await admitted(store, k, r, 5), 3, 'next window')
    },
  },
  {
    name: 'keys are independent',
    async run(store, key) {
      const r = rule('gcra', 1, 1, 60_000)
      eq((await store.limit(key('a'), r)).allowed, true, 'a')
      eq((await store.limit(key('a'), r)).allowed, false, 'a again')
      eq((await store.limit(key('b'), r)).allowed, true, 'b')
    },
  },
  {
    name: 'ping answers',
    async run(store) {
      await store.ping()
    },
  },
]

/** Runs every case (the workerd test worker uses this; vitest registers them one by one). */
export async function runStoreCases(store: Store, prefix: string): Promise<{ name: string; status: 'passed' | 'failed' | 'skipped'; error?: string }[]> {
  const results = await Promise.all(
    storeCases.map(async (c) => {
      if (c.requires === 'atomic' && !store.capabilities.atomic) return { name: c.name, status: 'skipped' as const, error: `${store.kind} is not atomic` }
      try {
        await c.run(store, (n) => `${prefix}:${c.name.length}:${n}`)
        return { name: c.name, status: 'passed' as const }
      } catch (err) {
        return { name: c.name, status: 'failed' as const, error: String((err as Error).stack ?? err) }
      }
    }),
  )
  return results
}
