/**
 * Passive outlier detection: a backend that fails `consecutive_errors` exchanges in a row
 * (connect failure, timeout, or a 5xx answer) — or whose error rate over `window` reaches
 * `error_rate_threshold` after `min_requests` — is ejected for base_ejection_duration × 2^(times
 * ejected before), capped at max_ejection_duration — but never beyond max_ejection_percent of its
 * pool, so ejection alone cannot empty a pool (Envoy's outlier detection works the same way).
 * @module
 */
import type { OutlierDetectionConfig } from '../config/types.ts'
import type { Endpoint } from './endpoint.ts'

export interface OutlierDetector {
  success(t: Endpoint, now?: number): void
  failure(t: Endpoint, now: number): void
}

/** Counts one exchange in the target's error-rate window (restarted when it has passed). */
function countWindow(t: Endpoint, cfg: OutlierDetectionConfig, now: number, error: boolean): void {
  if (now - t.windowStart >= cfg.window) {
    t.windowStart = now
    t.windowRequests = 0
    t.windowErrors = 0
  }
  t.windowRequests++
  if (error) t.windowErrors++
}

export function createOutlierDetector(cfg: OutlierDetectionConfig, pool: readonly Endpoint[]): OutlierDetector {
  const maxEjected = Math.floor((pool.length * cfg.max_ejection_percent) / 100)
  const rate = cfg.error_rate_threshold
  return {
    success(t, now = 0) {
      t.consecutiveErrors = 0
      if (rate !== undefined) countWindow(t, cfg, now, false)
    },
    failure(t, now) {
      t.consecutiveErrors++
      if (rate !== undefined) countWindow(t, cfg, now, true)
      const byRate = rate !== undefined && t.windowRequests >= cfg.min_requests && t.windowErrors / t.windowRequests >= rate
      if ((t.consecutiveErrors < cfg.consecutive_errors && !byRate) || t.ejectedUntil > now) return
      let ejected = 0
      for (const other of pool) if (other.ejectedUntil > now) ejected++
      if (ejected >= maxEjected) return
      t.ejectedUntil = now + Math.min(cfg.max_ejection_duration, cfg.base_ejection_duration * 2 ** t.ejections)
      t.ejections++
      t.consecutiveErrors = 0
      t.windowStart = now
      t.windowRequests = 0
      t.windowErrors = 0
    },
  }
}
