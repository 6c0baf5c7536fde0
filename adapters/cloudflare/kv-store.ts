/**
 * Cloudflare KV as a store: for caches and config, not for exact counting. KV is eventually
 * consistent (a write can take ~60 s to reach other locations) and has no atomic
 * read-modify-write, so `capabilities.atomic` is false and the config validator refuses it for
 * `mode: distributed` limits. Expiry is kept in the value as well, because KV's own
 * `expirationTtl` cannot be shorter than 60 s.
 * @module
 */
import { rateStep } from '../../src/store/algorithms.ts'
import { type Store, storeCall } from '../../src/core/store.ts'
import type { KVNamespace } from './workers-api.ts'

interface Entry {
  v: string | number[]
  e: number
}

const KV_MIN_TTL_S = 60

export function createKvStore(kv: KVNamespace, options: { keyPrefix?: string } = {}): Store {
  const prefix = options.keyPrefix ?? 'portico:'

  async function read(key: string, now: number): Promise<Entry | undefined> {
    const raw = await kv.get(prefix + key)
    if (raw === null) return undefined
    const e = JSON.parse(raw) as Entry
    return e.e !== 0 && e.e <= now ? undefined : e
  }

  function write(key: string, v: Entry['v'], ttlMs: number, now: number): Promise<void> {
    const e: Entry = { v, e: ttlMs > 0 ? now + ttlMs : 0 }
    const opts = ttlMs > 0 ? { expirationTtl: Math.max(KV_MIN_TTL_S, Math.ceil(ttlMs / 1000)) } : undefined
    return kv.put(prefix + key, JSON.stringify(e), opts)
  }

  const call = <T>(op: string, fn: () => Promise<T>) => storeCall('cloudflare_kv', op, fn)

  return {
    kind: 'cloudflare_kv',
    capabilities: { atomic: false, consistency: 'eventual', shared: true },
    limit: (key, rule, cost = 1) =>
      call('limit', async () => {
        const now = Date.now()
        const e = await read(key, now)
        const state = e !== undefined && typeof e.v !== 'string' ? e.v : null
        const step = rateStep(rule, state, e === undefined || e.e === 0 ? 0 : e.e - now, now, cost)
        if (step.state !== null) await write(key, step.state, step.ttlMs, now)
        return { allowed: step.allowed, remaining: step.remaining, resetMs: step.resetMs, retryAfterMs: step.retryAfterMs }
      }),
    incr: (key, by, ttlMs) =>
      call('incr', async () => {
        const now = Date.now()
        const e = await read(key, now)
        const next = (e === undefined ? 0 : Number(e.v) || 0) + by
        await write(key, String(next), e === undefined ? ttlMs : e.e === 0 ? 0 : e.e - now, now)
        return next
      }),
    get: (key) =>
      call('get', async () => {
        const e = await read(key, Date.now())
        return e === undefined || typeof e.v !== 'string' ? null : e.v
      }),
    set: (key, value, ttlMs = 0) => call('set', () => write(key, value, ttlMs, Date.now())),
    delete: (key) =>
      call('delete', async () => {
        const existed = (await read(key, Date.now())) !== undefined
        await kv.delete(prefix + key)
        return existed
      }),
    compareAndSet: (key, expected, value, ttlMs = 0) =>
      call('compareAndSet', async () => {
        const now = Date.now()
        const e = await read(key, now)
        const current = e === undefined || typeof e.v !== 'string' ? null : e.v
        if (current !== expected) return false
        await write(key, value, ttlMs, now)
        return true
      }),
    ping: () => call('ping', async () => void (await kv.get(`${prefix}__ping`))),
    close: () => Promise.resolve(),
  }
}
