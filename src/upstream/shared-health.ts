/**
 * The port for active health checks that run outside this isolate (Workers, which have no
 * timers outside a request: a Durable Object alarm probes). The gateway hands its check groups
 * over once per config version; the checker rebuilds each group from its plan with the same
 * resolver and probe as local checks, and the adapter writes the verdicts back onto the same
 * targets, so balancers read them exactly as they read local verdicts.
 * @module
 */
import { type BackendTarget, toTargets } from '../balancer/pool.ts'
import { type ResolvedHealthCheck, resolveHealthCheck } from '../resilience/health-check.ts'

/** One probe round's worth of targets with equal merged settings. */
export interface HealthCheckGroup {
  check: ResolvedHealthCheck
  targets: BackendTarget[]
}

export interface SharedHealthChecks {
  /** Takes over the checks of one config version (ids stable for a config); returns the stopper. */
  start(groups: ReadonlyMap<string, HealthCheckGroup>): () => void
}

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
  return [...groups].map(([id, { check, targets }]) => {
    const { expected: _, ...data } = check
    return { id, check: data, targets: targets.map((t) => t.url) }
  })
}

/** The checker's side: the same resolver and target shape as local checks, so `probe` runs unchanged. */
export function groupOf(plan: HealthCheckPlan): HealthCheckGroup {
  return { check: resolveHealthCheck(plan.check)!, targets: toTargets(plan.targets.map((url) => ({ url, weight: 1 }))) }
}

export function verdictsOf(groups: readonly { id: string; targets: readonly BackendTarget[] }[]): HealthVerdicts {
  const out: HealthVerdicts = {}
  for (const g of groups) out[g.id] = g.targets.map((t) => t.healthy)
  return out
}

/** Writes verdicts onto the live targets; a group or target the verdicts do not cover is left as it is. */
export function applyVerdicts(groups: ReadonlyMap<string, HealthCheckGroup>, verdicts: HealthVerdicts): void {
  for (const [id, { targets }] of groups) {
    const v = verdicts[id]
    if (v === undefined || v.length !== targets.length) continue
    for (let i = 0; i < targets.length; i++) targets[i].healthy = v[i]
  }
}
