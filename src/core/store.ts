/**
 * The one interface every shared-state backend implements (memory, Redis, Upstash, Cloudflare
 * KV, Durable Objects). Policies (rate limits, quotas, circuit state) need only these atomic
 * operations; each store says through `capabilities` what it can guarantee, and the config
 * validator refuses a store that cannot give a feature what it needs (e.g. exact limits on KV).
 * @module
 */

export type StoreKind = 'memory' | 'redis' | 'upstash' | 'cloudflare_kv' | 'durable_object'

export type RateAlgorithm = 'token_bucket' | 'gcra' | 'sliding_window' | 'fixed_window'

/**
 * One rate rule, precomputed by the policy at compile time.
 * - token_bucket / gcra: `limit` is the bucket capacity (burst); one unit comes back every
 *   `periodMs / rate` ms. Both admit `limit + rate × elapsed / periodMs` under a flood.
 * - sliding_window: at most `limit` per `periodMs`, the previous window weighted by how much of
 *   it still overlaps (Cloudflare's counter-weighted estimate); `rate` is unused.
 * - fixed_window: at most `limit` until the key expires, `periodMs` after its first hit (quotas
 *   put the calendar window in the key and pass the time left in it).
 */
export interface RateRule {
  algorithm: RateAlgorithm
  limit: number
  rate: number
  periodMs: number
}

export interface RateDecision {
  allowed: boolean
  /** Units left after this decision (never negative). */
  remaining: number
  /** ms until the limiter is back to full capacity / the window ends. */
  resetMs: number
  /** ms until a request of the same cost could pass; 0 when allowed. */
  retryAfterMs: number
}

export interface StoreCapabilities {
  /** Read-modify-write operations cannot interleave (a Lua script, a single-threaded object). */
  atomic: boolean
  /** strong: a write is visible to the next read everywhere; eventual: may lag (KV: ~60 s). */
  consistency: 'strong' | 'eventual'
  /** State is shared between gateway processes/isolates (false for memory). */
  shared: boolean
}

export interface Store {
  readonly kind: StoreKind
  readonly capabilities: StoreCapabilities
  /** One rate-limit decision for `key`; a rejected request consumes nothing. */
  limit(key: string, rule: RateRule, cost?: number): Promise<RateDecision>
  /** Adds `by` and returns the new value; a new key starts at 0 and expires after `ttlMs`. */
  incr(key: string, by: number, ttlMs: number): Promise<number>
  get(key: string): Promise<string | null>
  /** `ttlMs` 0 or absent: no expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>
  /** true when the key existed. */
  delete(key: string): Promise<boolean>
  /** Writes `value` only if the current value is `expected` (null = absent); true when written. */
  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean>
  /** Round trip to the backend (readiness). */
  ping(): Promise<void>
  /** Releases connections and timers. */
  close(): Promise<void>
}

/** The stores limits run on. Both live as long as the process (counters survive reloads). */
export interface LimitStores {
  /** Per process/isolate (`mode: local`). */
  local: Store
  /** The configured `store` (`mode: distributed`). */
  shared: Store
}

/** Thrown by a store (or its guard) when the backend fails or is too slow. */
export class StoreError extends Error {
  readonly store: StoreKind
  readonly op: string
  constructor(store: StoreKind, op: string, message: string) {
    super(`${store} store: ${op}: ${message}`)
    this.name = 'StoreError'
    this.store = store
    this.op = op
  }
}

/** Runs one backend call, turning any failure into a StoreError that names the store and op. */
export async function storeCall<T>(store: StoreKind, op: string, fn: () => Promise<T>, detail = ''): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw new StoreError(store, op, `${String((err as Error)?.message ?? err)}${detail}`)
  }
}
