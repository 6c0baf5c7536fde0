/**
 * The pools of the process. Live endpoint state (health verdicts, ejections, in-flight counts,
 * latency EWMA) outlives config versions: `reconcile` builds one version's pools over the
 * endpoints already known, keyed by owner (`upstream name`, `route:<id>`, `route:<id>/<group>`)
 * and endpoint id (the backend URL), as Pingora's `LoadBalancer::update` does. Endpoints a
 * config no longer names are dropped and their checks stopped. Discovery calls `update` to
 * change one owner's members without a reload.
 *
 * The registry follows the newest open version: a reload compiles the next version (reconcile)
 * before it serves, swaps it in, then releases the old one; a rejected next version is released
 * while the old one is still open, and the registry returns to the old one's endpoints.
 * @module
 */
import type { Config, HealthCheckConfig } from '../config/types.ts'
import { clearHealth, createHttpEndpoint, type EndpointSpec, type HttpEndpoint, isAvailable } from './endpoint.ts'
import { type CheckDeps, type CheckGroup, createHealthChecks, resolveHealthCheck } from './health.ts'
import { createProbe, type ProbeDeps } from './probes.ts'
import { createPool, type PoolSettings } from './pool.ts'
import { buildRouteTargets, type RouteTargets } from './route-targets.ts'

export type { RouteTargets } from './route-targets.ts'

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

/** One config version's view of the registry. */
export interface UpstreamVersion {
  /** Endpoints by owner, in config order. */
  readonly owners: ReadonlyMap<string, readonly HttpEndpoint[]>
  /** Null for a route that names neither backends, an upstream nor a traffic split. */
  targets(routeId: string): RouteTargets | null
  snapshot(now: number): BackendSummary[]
  /** Endpoints that can take traffic now, over all owners (readiness). */
  available(now: number): number
  /** The version is retired (swapped out or rejected); its checks stop unless a newer version keeps them. */
  release(): void
}

export interface PoolRegistry {
  reconcile(config: Config): UpstreamVersion
  /** New members for one owner of the newest version (discovery): live state kept by id, balancers rebuilt. */
  update(owner: string, endpoints: readonly EndpointSpec[]): boolean
  snapshot(now: number): BackendSummary[]
  /** Stops every check; the process is ending. */
  close(): void
}

/** `fetch` and `connect` (the probes') are the runtime's, never the global ones. */
export interface RegistryDeps extends CheckDeps, ProbeDeps {}

interface Owner {
  endpoints: HttpEndpoint[]
  specs: readonly EndpointSpec[]
  /** Health-check layers above the endpoint's own (global, upstream, route); null: no active checks. */
  checkLayers: (HealthCheckConfig | undefined)[] | null
  pools: ReturnType<typeof createPool<HttpEndpoint>>[]
  outlier: boolean
}

interface VersionData {
  owners: Map<string, Owner>
  /** The same owners' endpoint lists, as `UpstreamVersion.owners` shows them. */
  view: Map<string, readonly HttpEndpoint[]>
  checks: Map<string, CheckGroup<HttpEndpoint>>
}

export function createPoolRegistry(deps: RegistryDeps): PoolRegistry {
  const checks = createHealthChecks<HttpEndpoint>(deps, (check) => createProbe(check, deps))
  const open: VersionData[] = []
  const newest = (): VersionData | undefined => open[open.length - 1]

  /** Makes the endpoints and checks those of `data` (or none). */
  function apply(data: VersionData | undefined): void {
    if (data === undefined) {
      checks.stop()
      return
    }
    const watched = new Set<HttpEndpoint>()
    for (const group of data.checks.values()) for (const e of group.endpoints) watched.add(e)
    for (const owner of data.owners.values()) {
      owner.endpoints.forEach((e, i) => {
        e.weight = owner.specs[i].weight
        e.healthCheck = owner.specs[i].health_check
        // A verdict no check can revise any more would hold for ever.
        if (!watched.has(e)) clearHealth(e)
        if (!owner.outlier) e.ejectedUntil = 0
      })
    }
    checks.sync(data.checks)
  }

  function endpointsFor(specs: readonly EndpointSpec[], known: readonly HttpEndpoint[] | undefined): HttpEndpoint[] {
    const byId = new Map((known ?? []).map((e) => [e.id, e]))
    return specs.map((spec) => {
      const e = byId.get(spec.url) ?? createHttpEndpoint(spec)
      e.weight = spec.weight // before the balancers are built over it
      return e
    })
  }

  function groupChecks(data: VersionData, name: string, owner: Owner): void {
    for (const key of [...data.checks.keys()]) if (key.startsWith(`${name}\u0000`)) data.checks.delete(key)
    if (owner.checkLayers === null) return
    // Endpoints with the same merged settings share one probe round; a backend's own block
    // (merged last) can give it different settings, or checks where its pool has none.
    owner.endpoints.forEach((e, i) => {
      const layers = [...owner.checkLayers!, owner.specs[i].health_check]
      const check = resolveHealthCheck(...layers)
      if (check === null) return
      const key = `${name}\u0000${JSON.stringify(layers)}`
      const group = data.checks.get(key) ?? { check, endpoints: [] }
      ;(group.endpoints as HttpEndpoint[]).push(e)
      data.checks.set(key, group)
    })
  }

  function build(config: Config): { data: VersionData; routes: Map<string, RouteTargets> } {
    const live = newest()
    const data: VersionData = { owners: new Map(), view: new Map(), checks: new Map() }
    const routes = new Map<string, RouteTargets>()
    const ownerOf = (name: string, specs: readonly EndpointSpec[], checkLayers: Owner['checkLayers']): Owner => {
      let owner = data.owners.get(name)
      if (owner === undefined) {
        owner = { endpoints: endpointsFor(specs, live?.owners.get(name)?.endpoints), specs, checkLayers, pools: [], outlier: false }
        data.owners.set(name, owner)
        data.view.set(name, owner.endpoints)
        groupChecks(data, name, owner)
      }
      return owner
    }
    const poolOf = (owner: Owner, settings: PoolSettings) => {
      const pool = createPool(owner.endpoints, settings)
      owner.pools.push(pool)
      if (settings.outlier_detection) owner.outlier = true
      return pool
    }
    for (const route of config.routes) {
      if (route.echo) continue
      const t = buildRouteTargets(route, config, ownerOf, poolOf)
      if (t !== null) routes.set(route.id, t)
    }
    return { data, routes }
  }

  return {
    reconcile(config) {
      const { data, routes } = build(config)
      open.push(data)
      apply(data)
      return {
        owners: data.view,
        targets: (id) => routes.get(id) ?? null,
        snapshot: (now) => summarize(data, now),
        available(now) {
          let n = 0
          for (const o of data.owners.values()) for (const e of o.endpoints) if (isAvailable(e, now)) n++
          return n
        },
        release() {
          const at = open.indexOf(data)
          if (at < 0) return
          open.splice(at, 1)
          if (at === open.length) apply(newest())
        },
      }
    },
    update(name, specs) {
      const data = newest()
      const owner = data?.owners.get(name)
      if (data === undefined || owner === undefined) return false
      owner.endpoints = endpointsFor(specs, owner.endpoints)
      owner.specs = specs
      data.view.set(name, owner.endpoints)
      for (const pool of owner.pools) pool.rebuild(owner.endpoints)
      groupChecks(data, name, owner)
      apply(data)
      return true
    },
    snapshot(now) {
      const data = newest()
      return data === undefined ? [] : summarize(data, now)
    },
    close() {
      open.length = 0
      checks.stop()
    },
  }
}

/** Live view for the admin API: every endpoint with its in-flight count and latency EWMA. */
function summarize(data: VersionData, now: number): BackendSummary[] {
  const out: BackendSummary[] = []
  for (const [name, owner] of data.owners) {
    const where = name.startsWith('route:') ? { route: name.slice(6) } : { upstream: name } // route:<id>[/<group>]
    for (const e of owner.endpoints) {
      out.push({
        ...where,
        url: e.url,
        weight: e.weight,
        inflight: e.inflight,
        ewma_ms: Math.round(e.ewmaMs * 100) / 100,
        healthy: e.healthy,
        // now() is monotonic, not wall-clock: convert the remaining ejection to a date.
        ejected_until: e.ejectedUntil > now ? new Date(Date.now() + (e.ejectedUntil - now)).toISOString() : null,
      })
    }
  }
  return out
}
