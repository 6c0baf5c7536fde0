/**
 * Retries (Runway `retry_policy`): which attempts may be retried, exponential backoff with full
 * jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), and the route's retry budget
 * (retry-budget.ts).
 * @module
 */
import type { RetryPolicyConfig } from '../config/types.ts'
import { createRetryBudget, type RetryBudget } from './retry-budget.ts'

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
    budget: createRetryBudget(cfg.budget),
    methodAllowed: (m) => methods.has(m),
    statusRetryable: (s) => statuses.has(s),
    backoffMs: (attempt) => Math.random() * Math.min(cfg.max_backoff, cfg.initial_backoff * cfg.backoff_multiplier ** attempt),
  }
}
