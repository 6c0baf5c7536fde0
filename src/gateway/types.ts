/**
 * What a compiled config version offers the adapters and the admin API.
 * @module
 */
import type { Config } from '../config/types.ts'
import type { RequestInfo, Sent } from '../core/runtime.ts'

export interface RouteSummary {
  id: string
  path: string
  path_prefix: boolean
  methods: string[]
  domains: string[]
  target: string
}

export interface BackendSummary {
  route?: string
  upstream?: string
  url: string
  weight: number
  inflight: number
  /** Time-to-response-headers EWMA in ms (whole exchange on Node's direct path); 0 = no sample. */
  ewma_ms: number
  /** Active health-check verdict. */
  healthy: boolean
  /** Passive outlier detection: ejected until this time (ISO), or null. */
  ejected_until: string | null
}

/** A compiled config version: built once, swapped atomically on reload. */
export interface Gateway {
  readonly config: Config
  readonly version: number
  /**
   * Settles when the version's asynchronous set-up (key imports, key digests) is done; rejects
   * with a `key.path: problem` message when it cannot be (then the version must not serve).
   */
  readonly ready: Promise<void>
  /** The pipeline: a Response, or `Sent` when the forwarder answered through the native channel. */
  handle(request: Request, info: RequestInfo): Promise<Response | Sent>
  /** The same for adapters without a native channel: always a Response. */
  fetch(request: Request, info: RequestInfo): Promise<Response>
  routes(): RouteSummary[]
  backends(): BackendSummary[]
  /** Config keys present but not active yet, e.g. `routes.users-api.rate_limit`. */
  readonly inactive: string[]
  /** Backends that can take traffic now, over all pools (readiness). */
  availableBackends(): number
  /** Circuit state per route that has a breaker. */
  circuitBreakers(): { route: string; state: string; retry_after_s: number }[]
  /** Admin override of one route's breaker; false when the route has none. */
  controlCircuit(route: string, action: 'open' | 'close' | 'reset'): boolean
  /** Stops this version's background work (health checks); in-flight requests are unaffected. */
  close(): void
}
