/**
 * Adaptive concurrency limit (Runway `traffic_shaping.adaptive_concurrency`), AIMD on latency in
 * the spirit of Netflix's concurrency-limits: the limit grows by one per `limit` good
 * completions (additive increase), and shrinks by `decrease_ratio` when a completion is slower
 * than `latency_tolerance` × the baseline (the lowest recent latency; multiplicative decrease).
 * Requests beyond the current limit are refused at once (503) instead of queueing.
 * @module
 */
import type { AdaptiveConcurrencyConfig } from '../config/types.ts'


export interface AdaptiveLimiter {
  readonly limit: number
  readonly inflight: number
  /** Admits one request (counting it in flight); false = refuse it. */
  acquire(): boolean
  /** Ends one admitted request with its latency, or `dropped` for a failure/timeout. */
  release(latencyMs: number, dropped: boolean): void
}

export function createAdaptiveLimiter(cfg: AdaptiveConcurrencyConfig): AdaptiveLimiter {
  let limit = Math.min(cfg.max_concurrency, Math.max(cfg.min_concurrency, cfg.initial_limit))
  let inflight = 0
  let baseline = Number.POSITIVE_INFINITY
  let credit = 0
  return {
    get limit() {
      return Math.floor(limit)
    },
    get inflight() {
      return inflight
    },
    acquire() {
      if (inflight >= Math.floor(limit)) return false
      inflight++
      return true
    },
    release(latencyMs, dropped) {
      inflight--
      // The baseline drifts up slowly so one lucky sample cannot pin it forever.
      baseline = Math.min(baseline * 1.01, latencyMs)
      if (dropped || latencyMs > baseline * cfg.latency_tolerance) {
        limit = Math.max(cfg.min_concurrency, limit * cfg.decrease_ratio)
        credit = 0
        return
      }
      if (++credit >= limit) {
        credit = 0
        limit = Math.min(cfg.max_concurrency, limit + 1)
      }
    },
  }
}
