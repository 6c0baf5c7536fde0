/**
 * Retries (Runway `retry_policy`): which attempts may be retried, exponential backoff with full
 * jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), and a retry budget so that
 * retries can never multiply load by more than 1 + ratio (Finagle/Envoy retry budgets):
 * within `window`, retries ≤ max(min_retries, ratio × requests).
 * @module
 */
import type { RetryPolicyConfig } from '../config/types.ts'

export interface RetryBudget {
  /** Counts one original request. */
  request(now: number): void
  /** Takes one retry from the budget if there is room; false = no retry. */
  tryRetry(now: number): boolean
}

const BUCKETS = 10

/** A sliding window of BUCKETS time slices counting requests and retries. */
export function createRetryBudget(ratio: number, minRetries: number, windowMs: number): RetryBudget {
  const slice = Math.max(1, windowMs / BUCKETS)
  const requests = new Float64Array(BUCKETS)
  const retries = new Float64Array(BUCKETS)
  const stamps = new Float64Array(BUCKETS).fill(-1)
  const bucket = (now: number): number => {
    const n = Math.floor(now / slice)
    const i = n % BUCKETS
    if (stamps[i] !== n) {
      stamps[i] = n
      requests[i] = 0
      retries[i] = 0
    }
    return i
  }
  const sums = (now: number): [number, number] => {
    const oldest = Math.floor(now / slice) - BUCKETS + 1
    let req = 0
    let ret = 0
    for (let i = 0; i < BUCKETS; i++) {
      if (stamps[i] >= oldest) {
        req += requests[i]
        ret += retries[i]
      }
    }
    return [req, ret]
  }
  return {
    request(now) {
      requests[bucket(now)]++
    },
    tryRetry(now) {
      const [req, ret] = sums(now)
      if (ret + 1 > Math.max(minRetries, ratio * req)) return false
      retries[bucket(now)]++
      return true
    },
  }
}

export interface RetryPolicy {
  maxRetries: number
  /** Per-try time to response headers (0 = only the request timeout). */
  perTryTimeoutMs: number
  /** Bodies up to this size are kept to be replayed; larger ones are sent once, never retried. */
  maxReplayBytes: number
  budget: RetryBudget
  methodAllowed(method: string): boolean
  statusRetryable(status: number): boolean
  /** Full jitter: uniform in [0, min(max_backoff, initial × multiplier^attempt)]. */
  backoffMs(attempt: number): number
}

export function createRetryPolicy(cfg: RetryPolicyConfig | undefined): RetryPolicy | null {
  if (cfg === undefined || cfg.max_retries <= 0) return null
  const methods = new Set(cfg.retryable_methods.map((m) => m.toUpperCase()))
  const statuses = new Set(cfg.retryable_statuses)
  return {
    maxRetries: cfg.max_retries,
    perTryTimeoutMs: cfg.per_try_timeout ?? 0,
    maxReplayBytes: cfg.max_replay_bytes,
    budget: createRetryBudget(cfg.budget.ratio, cfg.budget.min_retries, cfg.budget.window),
    methodAllowed: (m) => methods.has(m),
    statusRetryable: (s) => statuses.has(s),
    backoffMs: (attempt) => Math.random() * Math.min(cfg.max_backoff, cfg.initial_backoff * cfg.backoff_multiplier ** attempt),
  }
}
