/**
 * Circuit breaker (Runway `circuit_breaker`, per route, local to this process/isolate):
 * closed → open after `failure_threshold` consecutive failures (connect failure, timeout or
 * 5xx), or when the failure rate over `window` reaches `error_rate_threshold` (≥ `min_requests`); open rejects at once with 503 for `timeout`; then half-open lets `max_requests` trial
 * requests through: a success closes it, a failure opens it again. Breakers live in a
 * `BreakerRegistry` for the whole process, keyed by route id: a reload that leaves a route's
 * `circuit_breaker` block as it was keeps its state (an open circuit stays open); a changed
 * block starts a fresh, closed breaker.
 * @module
 */
import type { CircuitBreakerConfig, RouteConfig } from '../config/types.ts'

export type CircuitState = 'closed' | 'open' | 'half_open'

export interface CircuitBreaker {
  state(now: number): CircuitState
  /** Admits a request (reserving a half-open trial slot); false = reject it. */
  allow(now: number): boolean
  success(now?: number): void
  failure(now: number): void
  /** Seconds until a trial request will be admitted (for Retry-After). */
  retryAfter(now: number): number
  /** Operator override (admin API): open now, or close/reset to a clean closed state. */
  force(action: 'open' | 'close' | 'reset', now: number): void
}

export function createCircuitBreaker(cfg: CircuitBreakerConfig): CircuitBreaker {
  let failures = 0
  // Error-rate window (closed state only): start, requests and failures in it.
  let windowStart = 0
  let windowRequests = 0
  let windowFailures = 0
  const count = (now: number, failed: boolean) => {
    if (now - windowStart >= cfg.window) {
      windowStart = now
      windowRequests = 0
      windowFailures = 0
    }
    windowRequests++
    if (failed) windowFailures++
  }
  const rate = cfg.error_rate_threshold
  let openedAt = -1
  let trials = 0
  const state = (now: number): CircuitState => {
    if (openedAt < 0) return 'closed'
    return now - openedAt >= cfg.timeout ? 'half_open' : 'open'
  }
  const open = (now: number) => {
    openedAt = now
    trials = 0
  }
  return {
    state,
    allow(now) {
      const s = state(now)
      if (s === 'closed') return true
      if (s === 'open' || trials >= cfg.max_requests) return false
      trials++
      return true
    },
    success(now = 0) {
      failures = 0
      openedAt = -1
      trials = 0
      if (rate !== undefined) count(now, false)
    },
    failure(now) {
      if (openedAt >= 0) return open(now) // a failed trial (or a late failure) re-opens
      if (rate !== undefined) count(now, true)
      const byRate = rate !== undefined && windowRequests >= cfg.min_requests && windowFailures / windowRequests >= rate
      if (++failures >= cfg.failure_threshold || byRate) {
        windowRequests = 0
        windowFailures = 0
        open(now)
      }
    },
    force(action, now) {
      if (action === 'open') return open(now)
      failures = 0
      openedAt = -1
      trials = 0
      windowRequests = 0
      windowFailures = 0
    },
    retryAfter(now) {
      return openedAt < 0 ? 0 : Math.max(1, Math.ceil((cfg.timeout - (now - openedAt)) / 1000))
    },
  }
}

/** The breakers of one config version. */
export interface BreakerVersion {
  /** The route's breaker: the live one when its block is unchanged, else a new one; null when disabled. */
  forRoute(route: RouteConfig): CircuitBreaker | null
  get(routeId: string): CircuitBreaker | undefined
  readonly entries: ReadonlyMap<string, CircuitBreaker>
  /** Swapped out or rejected: the registry follows the newest version still open. */
  release(): void
}

export interface BreakerRegistry {
  version(): BreakerVersion
}

interface Held {
  block: string
  breaker: CircuitBreaker
}

export function createBreakerRegistry(): BreakerRegistry {
  const open: Map<string, Held>[] = []
  return {
    version() {
      const live = open[open.length - 1]
      const held = new Map<string, Held>()
      const entries = new Map<string, CircuitBreaker>()
      open.push(held)
      return {
        entries,
        get: (id) => entries.get(id),
        forRoute(route) {
          const cfg = route.circuit_breaker
          if (!cfg?.enabled) return null
          const block = JSON.stringify(cfg)
          const kept = live?.get(route.id)
          const breaker = kept?.block === block ? kept.breaker : createCircuitBreaker(cfg)
          held.set(route.id, { block, breaker })
          entries.set(route.id, breaker)
          return breaker
        },
        release() {
          const at = open.indexOf(held)
          if (at >= 0) open.splice(at, 1)
        },
      }
    },
  }
}
