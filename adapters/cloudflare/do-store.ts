/**
 * The Durable Object store: keys are spread over `shards` objects by hash, and each object
 * owns its keys' state — one single-threaded instance worldwide, so a decision is exact and
 * atomic at the edge. Inside the object, the same algorithms as the memory store run over
 * `ctx.storage`; input gates keep another event from running between its get and put, and
 * the output gate holds the answer until the write is durable. Expired keys are dropped when
 * read and by an alarm sweep, so storage does not grow with keys nobody uses any more.
 * Calls go over Workers RPC (`stub.limit(...)`), one round trip per decision.
 * @module
 */
import { DurableObject } from 'cloudflare:workers'
import { rateStep } from '../../src/store/algorithms.ts'
import { type RateDecision, type RateRule, type Store, storeCall } from '../../src/core/store.ts'
import type { DurableObjectNamespace } from './workers-api.ts'

interface Entry {
  v: string | number[]
  /** Expiry, ms since epoch; 0 = none. */
  e: number
}

const SWEEP_EVERY_MS = 5 * 60_000
const SWEEP_BATCH = 512

/** Exported by the worker and declared in wrangler.toml (`[[durable_objects.bindings]]`). */
export class PorticoStoreObject extends DurableObject {
  private alarmChecked = false

  private async read(key: string, now: number): Promise<Entry | undefined> {
    const e = await this.ctx.storage.get<Entry>(key)
    if (e !== undefined && e.e !== 0 && e.e <= now) {
      await this.ctx.storage.delete(key)
      return undefined
    }
    return e
  }

  private async write(key: string, v: Entry['v'], ttlMs: number, now: number): Promise<void> {
    await this.ctx.storage.put<Entry>(key, { v, e: ttlMs > 0 ? now + ttlMs : 0 })
    if (ttlMs > 0 && !this.alarmChecked) {
      this.alarmChecked = true
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + SWEEP_EVERY_MS)
    }
  }

  async limit(key: string, rule: RateRule, cost: number): Promise<RateDecision> {
    const now = Date.now()
    const e = await this.read(key, now)
    const state = e !== undefined && typeof e.v !== 'string' ? e.v : null
    const step = rateStep(rule, state, e === undefined || e.e === 0 ? 0 : e.e - now, now, cost)
    if (step.state !== null) await this.write(key, step.state, step.ttlMs, now)
    return { allowed: step.allowed, remaining: step.remaining, resetMs: step.resetMs, retryAfterMs: step.retryAfterMs }
  }

  async incr(key: string, by: number, ttlMs: number): Promise<number> {
    const now = Date.now()
    const e = await this.read(key, now)
    const next = (e === undefined ? 0 : Number(e.v) || 0) + by
    if (e === undefined) await this.write(key, String(next), ttlMs, now)
    else await this.ctx.storage.put<Entry>(key, { v: String(next), e: e.e })
    return next
  }

  async getValue(key: string): Promise<string | null> {
    const e = await this.read(key, Date.now())
    return e === undefined || typeof e.v !== 'string' ? null : e.v
  }

  async setValue(key: string, value: string, ttlMs: number): Promise<void> {
    await this.write(key, value, ttlMs, Date.now())
  }

  async deleteValue(key: string): Promise<boolean> {
    const existed = (await this.read(key, Date.now())) !== undefined
    await this.ctx.storage.delete(key)
    return existed
  }

  async compareAndSet(key: string, expected: string | null, value: string, ttlMs: number): Promise<boolean> {
    const now = Date.now()
    const e = await this.read(key, now)
    const current = e === undefined || typeof e.v !== 'string' ? null : e.v
    if (current !== expected) return false
    await this.write(key, value, ttlMs, now)
    return true
  }

  ping(): string {
    return 'pong'
  }

  /** Sweeps expired keys in batches; re-arms while any key with an expiry remains. */
  async alarm(): Promise<void> {
    const now = Date.now()
    let left = false
    let startAfter: string | undefined
    for (;;) {
      const batch = await this.ctx.storage.list<Entry>({ startAfter, limit: SWEEP_BATCH })
      for (const [k, e] of batch) {
        if (e.e !== 0 && e.e <= now) await this.ctx.storage.delete(k)
        else if (e.e !== 0) left = true
        startAfter = k
      }
      if (batch.size < SWEEP_BATCH) break
    }
    this.alarmChecked = left
    if (left) await this.ctx.storage.setAlarm(now + SWEEP_EVERY_MS)
  }
}

type StoreStub = Pick<PorticoStoreObject, 'limit' | 'incr' | 'getValue' | 'setValue' | 'deleteValue' | 'compareAndSet' | 'ping'>

export interface DurableObjectStoreOptions {
  /** Objects the keys are spread over (default 16); one key always lands on the same one. */
  shards?: number
  keyPrefix?: string
}

export function createDurableObjectStore(ns: DurableObjectNamespace<StoreStub>, options: DurableObjectStoreOptions = {}): Store {
  const shards = options.shards ?? 16
  const prefix = options.keyPrefix ?? 'portico:'
  // A stub is cheap to make, and one made in another request's context must not be reused.
  const stub = (key: string) => ns.get(ns.idFromName(`${prefix}shard-${shardOf(key, shards)}`))

  const call = <T>(op: string, fn: () => Promise<T>) => storeCall('durable_object', op, fn)

  return {
    kind: 'durable_object',
    capabilities: { atomic: true, consistency: 'strong', shared: true },
    limit: (key, rule, cost = 1) => call('limit', () => stub(key).limit(key, rule, cost)),
    incr: (key, by, ttlMs) => call('incr', () => stub(key).incr(key, by, ttlMs)),
    get: (key) => call('get', () => stub(key).getValue(key)),
    set: (key, value, ttlMs = 0) => call('set', () => stub(key).setValue(key, value, ttlMs)),
    delete: (key) => call('delete', () => stub(key).deleteValue(key)),
    compareAndSet: (key, expected, value, ttlMs = 0) => call('compareAndSet', () => stub(key).compareAndSet(key, expected, value, ttlMs)),
    ping: () => call('ping', async () => void (await stub('ping').ping())),
    close: () => Promise.resolve(),
  }
}

/** FNV-1a: stable across isolates and deploys, so a key's shard never moves. */
function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return (h >>> 0) % shards
}
