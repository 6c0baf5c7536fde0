/**
 * The upstream state of a process: one pool registry (live endpoints, health checks) and one
 * breaker registry, built over the runtime's timers, logger and fetch.
 * @module
 */
import { createBreakerRegistry } from '../resilience/circuit-breaker.ts'
import type { SharedHealthChecks } from '../upstream/health.ts'
import { createPoolRegistry } from '../upstream/registry.ts'
import type { Runtime } from '../core/runtime.ts'
import type { UpstreamState } from './types.ts'

/** `shared`: where active checks run when the runtime has no timers (Workers: a Durable Object alarm). */
export function createUpstreamState(runtime: Runtime, shared?: SharedHealthChecks): UpstreamState {
  return {
    pools: createPoolRegistry({ fetch: runtime.fetch ?? fetch, connect: runtime.connect, schedule: runtime.schedule, logger: runtime.logger, runtimeName: runtime.name, shared }),
    breakers: createBreakerRegistry(),
  }
}
