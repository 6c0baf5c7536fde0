/**
 * What a compiled config version offers the adapters and the admin API.
 * @module
 */
import type { Config } from '../config/types.ts'
import type { RequestInfo, Sent } from '../core/runtime.ts'
import type { BreakerRegistry } from '../resilience/circuit-breaker.ts'
import type { BackendSummary, PoolRegistry } from '../upstream/registry.ts'

export type { BackendSummary } from '../upstream/registry.ts'

export interface RouteSummary {
  id: string
  path: string
  path_prefix: boolean
  methods: string[]
  domains: string[]
  target: string
}

/**
 * Upstream state that outlives config versions (pools with their live endpoints, circuit
 * breakers): created with the first version, handed by the reloader to each next one.
 */
export interface UpstreamState {
  pools: PoolRegistry
  breakers: BreakerRegistry
}


/** A compiled config version: built once, swapped atomically on reload. */
export interface Gateway {
  readonly config: Config
  readonly version: number
  /** The process's upstream state this version runs on; the reloader passes it to the next version. */
  readonly upstreams: UpstreamState
  /**
   * Settles when the version's asynchronous set-up (key imports, key digests) is done; rejects
   * with a `key.path: problem` message when it cannot be (then the version must not serve).
   */
  readonly ready: Promise<void>
  /** The pipeline: a Response, or `Sent` when the forwarder answered through the native channel. */
  handle(request: Request, info: RequestInfo): Promise<Response | Sent>
  /** The same pipeline for adapters that pass no native channel (RequestInfo.native): always a Response. */
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
  /**
   * Retires this version (in-flight requests are unaffected): its metrics collector stops, and
   * when it was the newest, the upstream registry returns to the newest version still open
   * (a rejected reload) or, with none left, stops its health checks (shutdown).
   */
  close(): void
}
