/**
 * From a route's config to what its handler balances over: the owner of its endpoints (its own
 * `backends`, a named upstream, or one owner per `traffic_split` group), its pools with the
 * route's balancer settings (route over upstream), the split selector with its sticky pin,
 * affinity and the key.
 * @module
 */
import type { Config, HealthCheckConfig, OutlierDetectionConfig, RouteConfig } from '../config/types.ts'
import { type BalanceKey, createBalanceKey } from './balance-key.ts'
import type { EndpointSpec, HttpEndpoint } from './endpoint.ts'
import type { BackendPool, PoolSettings } from './pool.ts'
import { type Affinity, createAffinity, createSplitSelector, type PoolSelector } from './split.ts'
import { createStickyPolicy, type StickyPolicy } from './sticky.ts'

/** What a proxy route balances over: one pool, or split groups, optional affinity, and the key. */
export interface RouteTargets {
  pool: BackendPool<HttpEndpoint>
  select: PoolSelector | null
  /** Runway `sticky` on a split route: marks each answer with its group (and the pin cookie). */
  sticky: StickyPolicy | null
  affinity: Affinity | null
  /** Balancing key of a request, computed by the caller for the pool's hash balancers. */
  key: BalanceKey
}

function switchedOn(od: OutlierDetectionConfig | undefined): OutlierDetectionConfig | undefined {
  return od?.enabled === false ? undefined : od
}

export function buildRouteTargets<O>(
  route: RouteConfig,
  config: Config,
  ownerOf: (name: string, specs: readonly EndpointSpec[], checkLayers: (HealthCheckConfig | undefined)[] | null) => O,
  poolOf: (owner: O, settings: PoolSettings) => BackendPool<HttpEndpoint>,
): RouteTargets | null {
  let pools: BackendPool<HttpEndpoint>[]
  let select: PoolSelector | null = null
  let sticky: StickyPolicy | null = null
  let key: BalanceKey
  if (route.traffic_split) {
    const settings = { load_balancer: route.load_balancer, consistent_hash: route.consistent_hash, outlier_detection: switchedOn(route.outlier_detection) }
    const groups = route.traffic_split.map((g) => ({
      name: g.name,
      weight: g.weight,
      matchHeaders: Object.entries(g.match_headers).map(([k, v]): [string, string] => [k.toLowerCase(), v]),
      pool: poolOf(ownerOf(`route:${route.id}/${g.name}`, g.backends, null), settings),
    }))
    pools = groups.map((g) => g.pool)
    const groupPin = route.sticky === undefined ? null : createStickyPolicy(route.sticky, groups)
    sticky = groupPin
    select = createSplitSelector(groups, groupPin)
    key = createBalanceKey(route.load_balancer, route.consistent_hash)
  } else {
    const upstream = route.backends || route.upstream === undefined ? undefined : config.upstreams[route.upstream]
    // No endpoints: a `service` target, or an upstream that names a service (discovery is not active).
    const specs = route.backends ?? upstream?.backends
    if (specs === undefined) return null
    const name = route.backends ? `route:${route.id}` : route.upstream!
    // The first route that names an upstream contributes its health_check layer.
    const owner = ownerOf(name, specs, [config.health_check, upstream?.health_check, route.health_check])
    const settings = {
      load_balancer: route.load_balancer ?? upstream?.load_balancer,
      consistent_hash: route.consistent_hash ?? upstream?.consistent_hash,
      // The route's block wins whole, so `enabled: false` on a route turns its upstream's off.
      outlier_detection: switchedOn(route.outlier_detection ?? upstream?.outlier_detection),
    }
    pools = [poolOf(owner, settings)]
    key = createBalanceKey(settings.load_balancer, settings.consistent_hash)
  }
  const pin = route.session_affinity
  const affinity = pin?.enabled ? createAffinity(pin, pools, route.id) : null
  return { pool: pools[0], select, sticky, affinity, key }
}
