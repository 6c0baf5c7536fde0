/**
 * The balancer contract. A balancer is built over a fixed list of backends (a pool builds a new
 * one when a reload or discovery changes its members); `pick` only reads per-backend live state
 * (in-flight count, latency EWMA) that the proxy updates through `BackendState`.
 * @module
 */

export interface BackendState {
  readonly id: string
  readonly weight: number
  /** Requests currently in flight to this backend. */
  inflight: number
  /** Exponentially weighted moving average of response-header latency, ms (0 = no sample yet). */
  ewmaMs: number
}

export interface PickInput {
  /** The balancing key for hash-based balancers (client IP, a header, a cookie or the path). */
  key: string
}

export interface Balancer<T extends BackendState> {
  pick(input: PickInput): T
}

/** Records one response time in the backend's EWMA (decay 0.3: recent samples dominate). */
export function recordLatency(b: BackendState, ms: number): void {
  b.ewmaMs = b.ewmaMs === 0 ? ms : b.ewmaMs * 0.7 + ms * 0.3
}
