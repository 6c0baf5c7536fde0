/**
 * The port for active health checks that run outside this isolate (Workers, which have no
 * timers outside a request: a Durable Object alarm probes). The gateway hands its check groups
 * over once per config version; the checker rebuilds each group from its plan with the same
 * resolver and probe as local checks, and the adapter writes the verdicts back onto the same
 * targets, so balancers read them exactly as they read local verdicts.
 * @module
 */
import { createHttpEndpoint, type HttpEndpoint } from './endpoint.ts'
import { type CheckGroup, type ResolvedHealthCheck, resolveHealthCheck } from './health.ts'

export type { SharedHealthChecks } from './health.ts'

/** One probe round's worth of endpoints with equal merged settings. */
export type HealthCheckGroup = CheckGroup<HttpEndpoint>

/** A group as plain data (JSON and structured-clone safe), for a checker in another isolate. */
export interface HealthCheckPlan {
  id: string
  check: Omit<ResolvedHealthCheck, 'expected'>
  /** Backend URLs, in the group's order (verdicts come back in the same order). */
  targets: string[]
}

/** Verdicts by group id: `healthy` per target, in plan order. */
export type HealthVerdicts = Record<string, boolean[]>

export function planOf(groups: ReadonlyMap<string, HealthCheckGroup>): HealthCheckPlan[] {
  return [...groups].map(([id, { check, endpoints }]) => {
    const { expected: _, ...data } = check
    return { id, check: data, targets: endpoints.map((t) => t.url) }
  })
}

/** The checker's side: the same resolver and target shape as local checks, so `probe` runs unchanged. */
export function groupOf(plan: HealthCheckPlan): HealthCheckGroup {
  return { check: resolveHealthCheck(plan.check)!, endpoints: plan.targets.map((url) => createHttpEndpoint({ url, weight: 1 })) }
}

export function verdictsOf(groups: readonly { id: string; endpoints: readonly HttpEndpoint[] }[]): HealthVerdicts {
  const out: HealthVerdicts = {}
  for (const g of groups) out[g.id] = g.endpoints.map((t) => t.healthy)
  return out
}

/** Writes verdicts onto the live targets; a group or target the verdicts do not cover is left as it is. */
export function applyVerdicts(groups: ReadonlyMap<string, HealthCheckGroup>, verdicts: HealthVerdicts): void {
  for (const [id, { endpoints }] of groups) {
    const v = verdicts[id]
    if (v === undefined || v.length !== endpoints.length) continue
    for (let i = 0; i < endpoints.length; i++) endpoints[i].healthy = v[i]
  }
}
