/**
 * Bounds every call of a remote store by `store.timeout`: a slow or unreachable backend turns
 * into a StoreError quickly, so the feature's failure policy (fail_open / fail_closed) decides
 * and the gateway keeps serving. Each failure is counted and logged — at most one log line per
 * operation every 10 s, so an outage does not flood the log.
 * @module
 */
import type { Logger } from '../core/runtime.ts'
import type { Counter } from '../core/metrics.ts'
import { type Store, StoreError } from '../core/store.ts'

export interface StoreGuardOptions {
  timeoutMs: number
  logger: Logger
  errors?: Counter
  /** ms clock for log throttling. */
  now?: () => number
}

const LOG_EVERY_MS = 10_000

export function guardStore(store: Store, options: StoreGuardOptions): Store {
  // The in-process store cannot be slow or down: no timer per call.
  if (store.kind === 'memory') return store
  const { timeoutMs, logger, errors } = options
  const now = options.now ?? Date.now
  const lastLog = new Map<string, number>()

  function failed(op: string, err: unknown): StoreError {
    const e = err instanceof StoreError ? err : new StoreError(store.kind, op, String((err as Error)?.message ?? err))
    errors?.inc([store.kind, op])
    const t = now()
    if ((lastLog.get(op) ?? -Infinity) + LOG_EVERY_MS <= t) {
      lastLog.set(op, t)
      logger.warn('store call failed; the failure policy applies', { store: store.kind, op, error: e.message })
    }
    return e
  }

  function bounded<T>(op: string, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        settled = true
        reject(failed(op, new StoreError(store.kind, op, `no answer within ${timeoutMs} ms`)))
      }, timeoutMs)
      work().then(
        (v) => {
          clearTimeout(timer)
          resolve(v)
        },
        (err) => {
          clearTimeout(timer)
          // A late failure after the timeout was already counted and answered.
          if (!settled) reject(failed(op, err))
        },
      )
    })
  }

  return {
    kind: store.kind,
    capabilities: store.capabilities,
    limit: (key, rule, cost) => bounded('limit', () => store.limit(key, rule, cost)),
    incr: (key, by, ttlMs) => bounded('incr', () => store.incr(key, by, ttlMs)),
    get: (key) => bounded('get', () => store.get(key)),
    set: (key, value, ttlMs) => bounded('set', () => store.set(key, value, ttlMs)),
    delete: (key) => bounded('delete', () => store.delete(key)),
    compareAndSet: (key, expected, value, ttlMs) => bounded('compareAndSet', () => store.compareAndSet(key, expected, value, ttlMs)),
    ping: () => bounded('ping', () => store.ping()),
    close: () => store.close(),
  }
}
