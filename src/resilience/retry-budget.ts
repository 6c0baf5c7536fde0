/**
 * The retry budget of a route (Runway `retry_policy.budget`): bounds the extra load retries add
 * when an upstream fails, without refusing the retries a healthy route needs.
 *
 * A retry is allowed when
 * - fewer than `min_retries` requests of the route are retrying right now (a floor, Envoy's
 *   `min_retry_concurrency`, default 3): a trickle of failures — a single dead backend under
 *   sequential traffic — is always retried, however long it lasts; or else when both
 * - the requests retrying right now stay under `ratio` × the requests in flight (Envoy's
 *   `retry_budget.budget_percent`, which limits *concurrent* retries), and
 * - the retries in the last `window` stay within `ratio` × the requests in it (Finagle's
 *   RetryBudget, Runway's `window`): under a flood, retries add at most `ratio` to the load.
 *
 * A request counts as retrying from its first granted retry until it is over, so it holds at most
 * one slot whatever its number of retries (Envoy releases the slot when the retried try answers).
 * @module
 */
import type { RetryBudgetConfig } from '../config/types.ts'

export interface RetryBudget {
  /** One request that may be retried starts; `finish` must follow, whatever the outcome. */
  request(now: number): void
  /** May a request that has made `retried` retries so far retry once more? Takes the budget if so. */
  tryRetry(now: number, retried: number): boolean
  /** The request is over; `retried` = the retries it made. */
  finish(retried: number): void
  /** Requests in flight and how many of them are retrying (tests, admin). */
  inFlight(): { requests: number; retrying: number }
}

const BUCKETS = 10

export function createRetryBudget(cfg: RetryBudgetConfig): RetryBudget {
  const { ratio, min_retries: floor } = cfg
  const window = cfg.window === undefined || cfg.window <= 0 ? null : createWindow(cfg.window)
  let active = 0
  let retrying = 0
  return {
    request(now) {
      active++
      window?.request(now)
    },
    tryRetry(now, retried) {
      const others = retried > 0 ? retrying - 1 : retrying
      const allowed = others < floor || (others < ratio * active && (window === null || window.room(now, ratio)))
      if (!allowed) return false
      if (retried === 0) retrying++
      window?.retry(now)
      return true
    },
    finish(retried) {
      active--
      if (retried > 0) retrying--
    },
    inFlight: () => ({ requests: active, retrying }),
  }
}

interface Window {
  request(now: number): void
  retry(now: number): void
  /** Whether one more retry keeps retries ≤ ratio × requests over the window. */
  room(now: number, ratio: number): boolean
}

/** A sliding window of BUCKETS time slices counting requests and retries. */
function createWindow(windowMs: number): Window {
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
  return {
    request(now) {
      requests[bucket(now)]++
    },
    retry(now) {
      retries[bucket(now)]++
    },
    room(now, ratio) {
      const oldest = Math.floor(now / slice) - BUCKETS + 1
      let req = 0
      let ret = 0
      for (let i = 0; i < BUCKETS; i++) {
        if (stamps[i] >= oldest) {
          req += requests[i]
          ret += retries[i]
        }
      }
      return ret + 1 <= ratio * req
    },
  }
}
