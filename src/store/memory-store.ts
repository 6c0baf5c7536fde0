/**
 * In-process store: exact and atomic within one process/isolate (JavaScript runs one request
 * step at a time, and every operation here is synchronous), never shared. Bounded: at most
 * `maxKeys` entries, least recently used evicted first, expired entries dropped on access and
 * by an incremental sweep — a flood of distinct keys cannot grow memory without bound. An
 * evicted rate-limit key starts over with a full bucket (lenient, like any LRU limiter).
 * @module
 */
import { rateStep } from './algorithms.ts'
import type { RateDecision, RateRule, Store } from '../core/store.ts'

export interface MemoryStoreOptions {
  /** Entries kept at most (default 100,000 ≈ 15–25 MB). */
  maxKeys?: number
  /** Clock in ms since the epoch (tests); default Date.now. */
  now?: () => number
}

interface Entry {
  value: string | number[]
  /** ms since epoch; 0 = never. */
  expiresAt: number
}

const SWEEP_BATCH = 32

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const maxKeys = options.maxKeys ?? 100_000
  if (!(maxKeys >= 1)) throw new RangeError('memory store: maxKeys must be ≥ 1')
  const clock = options.now ?? Date.now
  // Map keeps insertion order: re-inserting on use makes its first key the least recently used.
  const map = new Map<string, Entry>()

  function read(key: string, now: number): Entry | undefined {
    const e = map.get(key)
    if (e === undefined) return undefined
    if (e.expiresAt !== 0 && e.expiresAt <= now) {
      map.delete(key)
      return undefined
    }
    map.delete(key)
    map.set(key, e)
    return e
  }

  function write(key: string, value: string | number[], ttlMs: number, now: number): void {
    const expiresAt = ttlMs > 0 ? now + ttlMs : 0
    if (map.has(key)) map.delete(key)
    else if (map.size >= maxKeys) evict(now)
    map.set(key, { value, expiresAt })
  }

  /** Drops expired entries among the oldest few, then the least recently used if still full. */
  function evict(now: number): void {
    let n = 0
    for (const [k, e] of map) {
      if (e.expiresAt !== 0 && e.expiresAt <= now) map.delete(k)
      if (++n >= SWEEP_BATCH) break
    }
    while (map.size >= maxKeys) map.delete(map.keys().next().value!)
  }

  const store: Store = {
    kind: 'memory',
    capabilities: { atomic: true, consistency: 'strong', shared: false },
    limit(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
      const now = clock()
      const e = read(key, now)
      const state = e !== undefined && typeof e.value !== 'string' ? e.value : null
      const step = rateStep(rule, state, e === undefined || e.expiresAt === 0 ? 0 : e.expiresAt - now, now, cost)
      if (step.state !== null) write(key, step.state, step.ttlMs, now)
      return Promise.resolve({ allowed: step.allowed, remaining: step.remaining, resetMs: step.resetMs, retryAfterMs: step.retryAfterMs })
    },
    incr(key, by, ttlMs) {
      const now = clock()
      const e = read(key, now)
      const current = e === undefined ? 0 : Number(e.value)
      const next = (Number.isFinite(current) ? current : 0) + by
      if (e === undefined) write(key, String(next), ttlMs, now)
      else e.value = String(next)
      return Promise.resolve(next)
    },
    get(key) {
      const e = read(key, clock())
      return Promise.resolve(e === undefined || typeof e.value !== 'string' ? null : e.value)
    },
    set(key, value, ttlMs = 0) {
      write(key, value, ttlMs, clock())
      return Promise.resolve()
    },
    delete(key) {
      const existed = read(key, clock()) !== undefined
      map.delete(key)
      return Promise.resolve(existed)
    },
    compareAndSet(key, expected, value, ttlMs = 0) {
      const now = clock()
      const e = read(key, now)
      const current = e === undefined || typeof e.value !== 'string' ? null : e.value
      if (current !== expected) return Promise.resolve(false)
      write(key, value, ttlMs, now)
      return Promise.resolve(true)
    },
    ping: () => Promise.resolve(),
    close() {
      map.clear()
      return Promise.resolve()
    },
  }
  // Test/diagnostic hook, not part of Store: how many entries are held.
  Object.defineProperty(store, 'size', { get: () => map.size })
  return store
}
