/**
 * Passive outlier detection: a backend that fails `consecutive_errors` exchanges in a row
 * (connect failure, timeout, or a 5xx answer) is ejected for base_ejection_time × 2^(times
 * ejected before), capped at max_ejection_time — but never beyond max_ejection_percent of its
 * pool, so ejection alone cannot empty a pool (Envoy's outlier detection works the same way).
 * @module
 */
import type { BackendTarget } from '../balancer/pool.ts'
import type { OutlierDetectionConfig } from '../config/types.ts'

export interface OutlierDetector {
  success(t: BackendTarget): void
  failure(t: BackendTarget, now: number): void
}

export function createOutlierDetector(cfg: OutlierDetectionConfig, pool: readonly BackendTarget[]): OutlierDetector {
  const maxEjected = Math.floor((pool.length * cfg.max_ejection_percent) / 100)
  return {
    success(t) {
      t.consecutiveErrors = 0
    },
    failure(t, now) {
      t.consecutiveErrors++
      if (t.consecutiveErrors < cfg.consecutive_errors || t.ejectedUntil > now) return
      let ejected = 0
      for (const other of pool) if (other.ejectedUntil > now) ejected++
      if (ejected >= maxEjected) return
      t.ejectedUntil = now + Math.min(cfg.max_ejection_time, cfg.base_ejection_time * 2 ** t.ejections)
      t.ejections++
      t.consecutiveErrors = 0
    },
  }
}
