/**
 * What a pool balances over. `Endpoint` is protocol-neutral (an address, a weight and the live
 * state the balancers, health checks and outlier detection keep), so TCP pools can reuse pools,
 * outlier detection and health checks; `HttpEndpoint` adds what an HTTP forwarder needs.
 * Live state is mutated in place: every pool that holds an endpoint sees the same counters.
 * @module
 */
import type { BackendState } from '../balancer/types.ts'
import type { BackendConfig, HealthCheckConfig } from '../config/types.ts'

export interface Endpoint extends BackendState {
  /** Unique within its owner (the backend URL for HTTP); the registry keys live state by owner + id. */
  readonly id: string
  /** `host:port` to connect to. */
  readonly address: string
  /** From config, rewritten when a reload or discovery changes it; balancers are rebuilt then. */
  weight: number
  /** Verdict of active health checks (true until checks say otherwise). */
  healthy: boolean
  /** Active-check streaks, for healthy_after / unhealthy_after. */
  checkSuccesses: number
  checkFailures: number
  /** Passive outlier detection: consecutive failed exchanges, ejection end (ms), times ejected. */
  consecutiveErrors: number
  ejectedUntil: number
  ejections: number
  /** Error-rate window of passive detection: start time, exchanges and errors in it. */
  windowStart: number
  windowRequests: number
  windowErrors: number
}

export interface HttpEndpoint extends Endpoint {
  readonly url: string
  readonly origin: string
  /** Path of the backend URL ('' for '/'), prepended to the upstream path. */
  readonly basePath: string
  /** This backend's own health-check overrides (merged last). */
  healthCheck?: HealthCheckConfig
}

/** One member as config or a discovery source describes it. */
export type EndpointSpec = BackendConfig

export function isAvailable(e: Endpoint, now: number): boolean {
  return e.healthy && e.ejectedUntil <= now
}

export function createHttpEndpoint(spec: EndpointSpec): HttpEndpoint {
  const u = new URL(spec.url)
  return {
    id: spec.url,
    url: spec.url,
    address: u.host,
    weight: spec.weight,
    inflight: 0,
    ewmaMs: 0,
    origin: u.origin,
    basePath: u.pathname === '/' ? '' : u.pathname,
    healthCheck: spec.health_check,
    healthy: true,
    checkSuccesses: 0,
    checkFailures: 0,
    consecutiveErrors: 0,
    ejectedUntil: 0,
    ejections: 0,
    windowStart: 0,
    windowRequests: 0,
    windowErrors: 0,
  }
}

/** Forgets the active-check verdict: for an endpoint that no check watches any more. */
export function clearHealth(e: Endpoint): void {
  e.healthy = true
  e.checkSuccesses = 0
  e.checkFailures = 0
}
