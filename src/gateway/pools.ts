/**
 * Backend pools of one config version: targets shared per upstream, active health checks
 * started on the runtime's timers, and the live view the admin API shows.
 * @module
 */
import { type BackendPool, type BackendTarget, createPool, toTargets } from '../balancer/pool.ts'
import type { Config, RouteConfig } from '../config/types.ts'
import type { CircuitBreaker } from '../resilience/circuit-breaker.ts'
import { type Affinity, createAffinity, createSplitSelector, type PoolSelector, type SplitGroup } from '../balancer/split.ts'
import { probe, type ResolvedHealthCheck, resolveHealthCheck } from '../resilience/health-check.ts'
import { createOutlierDetector } from '../resilience/outlier.ts'
import type { BackendSummary, Runtime } from './types.ts'

export interface PoolRegistry {
  /** Targets by owner (`upstream name` or `route:<id>`), shared by every route of an upstream. */
  targets: Map<string, BackendTarget[]>
  /** One active check per owner. */
  checks: Map<string, { check: ResolvedHealthCheck; targets: BackendTarget[] }>
  /** Circuit breakers by route id. */
  breakers: Map<string, CircuitBreaker>
}

/** What a proxy route balances over: one pool, or split groups, and optional affinity. */
export interface RouteTargets {
  pool: BackendPool
  select: PoolSelector | null
  affinity: Affinity | null
}

export function routeTargets(route: RouteConfig, config: Config, reg: PoolRegistry): RouteTargets | null {
  let pools: BackendPool[]
  let select: PoolSelector | null = null
  if (route.traffic_split) {
    const groups: SplitGroup[] = route.traffic_split.map((g) => {
      const targets = toTargets(g.backends)
      reg.targets.set(`route:${route.id}/${g.name}`, targets)
      const outlier = route.outlier_detection ? createOutlierDetector(route.outlier_detection, targets) : null
      const pool = createPool(targets, route.load_balancer, route.consistent_hash, outlier)
      return { name: g.name, weight: g.weight, matchHeaders: Object.entries(g.match_headers).map(([k, v]) => [k.toLowerCase(), v]), pool }
    })
    pools = groups.map((g) => g.pool)
    select = createSplitSelector(groups)
  } else {
    const pool = poolFor(route, config, reg)
    if (pool === null) return null
    pools = [pool]
  }
  const sticky = route.session_affinity ?? route.sticky
  const affinity = sticky?.enabled ? createAffinity(sticky, pools, route.id) : null
  return { pool: pools[0], select, affinity }
}

export function poolFor(route: RouteConfig, config: Config, reg: PoolRegistry): BackendPool | null {
  const upstream = route.backends ? undefined : route.upstream === undefined ? undefined : config.upstreams[route.upstream]
  if (!route.backends && upstream === undefined) return null
  const owner = route.backends ? `route:${route.id}` : route.upstream!
  let targets = reg.targets.get(owner)
  if (targets === undefined) {
    targets = toTargets(route.backends ?? upstream!.backends)
    reg.targets.set(owner, targets)
    // Targets with the same merged settings share one probe round; a backend's own block
    // (merged last) can give it different settings, or checks where its pool has none.
    const groups = new Map<string, { check: ResolvedHealthCheck; targets: BackendTarget[] }>()
    for (const t of targets) {
      const layers = [config.health_check, upstream?.health_check, route.health_check, t.healthCheck] as const
      const check = resolveHealthCheck(...layers)
      if (check === null) continue
      const key = JSON.stringify(layers)
      const group = groups.get(key) ?? { check, targets: [] }
      group.targets.push(t)
      groups.set(key, group)
    }
    let n = 0
    for (const group of groups.values()) reg.checks.set(`${owner}#${n++}`, group)
  }
  const outlierCfg = route.outlier_detection ?? upstream?.outlier_detection
  return createPool(
    targets,
    route.load_balancer ?? upstream?.load_balancer,
    route.consistent_hash ?? upstream?.consistent_hash,
    outlierCfg ? createOutlierDetector(outlierCfg, targets) : null,
  )
}

/** Starts active checks on the runtime's timers; returns the stopper. */
export function startChecks(reg: PoolRegistry, runtime: Runtime): () => void {
  if (reg.checks.size === 0) return () => {}
  if (runtime.schedule === undefined) {
    if (runtime.sharedHealth !== undefined) return runtime.sharedHealth.start(reg.checks)
    runtime.logger.warn('active health checks do not run on this runtime (no timers outside requests); passive outlier detection only', {
      runtime: runtime.name,
    })
    return () => {}
  }
  const stops: (() => void)[] = []
  for (const [owner, { check, targets }] of reg.checks) {
    let running = false
    const round = () => {
      if (running) return // a slow round must not overlap the next
      running = true
      probe(check, targets)
        .catch((err) => runtime.logger.error('health check round failed', { owner, error: String(err) }))
        .finally(() => {
          running = false
        })
    }
    round()
    stops.push(runtime.schedule(check.interval, round))
  }
  return () => {
    for (const stop of stops) stop()
  }
}

/** Live view for the admin API: every backend with its in-flight count and latency EWMA. */
export function listBackends(shared: Map<string, BackendTarget[]>, now: number): BackendSummary[] {
  const out: BackendSummary[] = []
  for (const [owner, targets] of shared) {
    const where = owner.startsWith('route:') ? { route: owner.slice(6) } : { upstream: owner } // route:<id>[/<group>]
    for (const t of targets) {
      out.push({
        ...where,
        url: t.url,
        weight: t.weight,
        inflight: t.inflight,
        ewma_ms: Math.round(t.ewmaMs * 100) / 100,
        healthy: t.healthy,
        // now() is monotonic, not wall-clock: convert the remaining ejection to a date.
        ejected_until: t.ejectedUntil > now ? new Date(Date.now() + (t.ejectedUntil - now)).toISOString() : null,
      })
    }
  }
  return out
}
