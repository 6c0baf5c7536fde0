/**
 * compile(Config) → Gateway: routes, matchers, balancers, policies and the client-IP resolver
 * are built here once per config version; the pipeline (pipeline.ts) only looks things up.
 * @module
 */
import { inactiveFeatures } from '../config/inactive.ts'
import { resolveRoute } from '../config/resolve.ts'
import type { Config, RouteConfig } from '../config/types.ts'
import { GatewayError } from '../core/errors.ts'
import type { RouteHandler } from '../core/policy.ts'
import type { Runtime } from '../core/runtime.ts'
import type { LimitStores } from '../core/store.ts'
import { createEchoHandler } from '../handlers/echo.ts'
import { createProxyHandler } from '../handlers/proxy.ts'
import { createWebSocketHandler } from '../handlers/websocket.ts'
import { createCors } from '../policies/cors.ts'
import { compileCidrs } from '../net/cidr.ts'
import { createClientIpResolver } from '../net/client-ip.ts'
import { gatewayMetrics } from '../observability/gateway-metrics.ts'
import { createTracing } from '../observability/tracing.ts'
import { createAuthMethods } from '../policies/auth/methods.ts'
import { createGlobalIpFilter } from '../policies/ip-filter.ts'
import { compileRoutePolicies, POLICY_KEYS, type PolicyDeps } from '../policies/registry.ts'
import type { BreakerVersion } from '../resilience/circuit-breaker.ts'
import { compileRouter } from '../router/router.ts'
import { createMemoryStore } from '../store/memory-store.ts'
import { createFinish } from './finish.ts'
import { type CompiledRoute, createPipeline } from './pipeline.ts'
import { requestLimitsOf } from './request-limits.ts'
import type { Gateway, RouteSummary, UpstreamState } from './types.ts'
import { createUpstreamState } from './upstream-state.ts'
import { isAvailable } from '../upstream/endpoint.ts'
import type { UpstreamVersion } from '../upstream/registry.ts'

/**
 * Route keys the handlers and upstream selection make active (policies add theirs through
 * the registry): inactive.ts reports every other key as accepted but not active.
 */
export const HANDLER_KEYS = [
  'id', 'path', 'path_prefix', 'methods', 'match', 'backends', 'upstream', 'echo', 'load_balancer',
  'consistent_hash', 'health_check', 'outlier_detection', 'retry_policy', 'retries', 'circuit_breaker', 'max_concurrent',
  'traffic_shaping', 'traffic_split', 'session_affinity', 'sticky', 'strip_prefix', 'rewrite', 'max_body_size',
  'timeout', 'timeout_policy', 'websocket',
] as const
const ROUTE_KEYS: ReadonlySet<string> = new Set([...HANDLER_KEYS, ...POLICY_KEYS])

/** Config keys accepted but not active in this version (startup notes, `--validate`, admin `/config`). */
export function inactiveKeysOf(config: Config): string[] {
  return inactiveFeatures(config, ROUTE_KEYS)
}

let versions = 0

/**
 * Why a route has no endpoints: an `ai` route, a `service` target, or an upstream that names a
 * service. Like an Envoy cluster with no hosts, the route is served and answers 503 until it has
 * endpoints; the key is listed as accepted but not active at startup.
 */
function noEndpoints(route: RouteConfig): string {
  if (route.service !== undefined) return 'no endpoints yet: service discovery (service) is not active in this version'
  if (route.upstream !== undefined) return `no endpoints yet: upstream "${route.upstream}" names a service, and service discovery is not active in this version`
  return 'no endpoints: the ai gateway is not active in this version'
}

function compileHandler(
  route: RouteConfig,
  effective: ReturnType<typeof resolveRoute>,
  runtime: Runtime,
  pools: UpstreamVersion,
  breakers: BreakerVersion,
  policies: ReturnType<typeof compileRoutePolicies>,
): RouteHandler {
  if (route.echo) return createEchoHandler(policies.responseHead)
  const targets = pools.targets(route.id)
  if (targets === null) {
    const message = noEndpoints(route)
    return function noEndpointsYet() {
      return Promise.reject(new GatewayError(503, 'no_backend', message))
    }
  }
  const breaker = breakers.forRoute(route)
  const deps = { runtime, breaker, upstreamRequest: policies.upstreamRequest, responseHead: policies.responseHead }
  const proxy = createProxyHandler(route, targets, deps)
  if (route.websocket?.enabled !== true) return proxy
  const cors = effective.cors?.block.enabled ? createCors(effective.cors.block, effective.cors.where) : null
  const originAllowed = cors === null ? null : (origin: string) => cors.allows(origin)
  return createWebSocketHandler(route, targets, { ...deps, originAllowed }, proxy)
}

/** `upstreams`: the previous version's on reload (live state is kept); a fresh one otherwise. */
export function createGateway(config: Config, runtime: Runtime, upstreams: UpstreamState = createUpstreamState(runtime)): Gateway {
  const pools = upstreams.pools.reconcile(config)
  const breakers = upstreams.breakers.version()
  const metrics = runtime.metrics ? gatewayMetrics(runtime.metrics) : null
  const stores: LimitStores = runtime.stores ?? memoryStores(config)
  const authMethods = createAuthMethods(config.authentication, { fetch: runtime.fetch ?? fetch, store: stores.shared })
  const deps: PolicyDeps = { stores, authMethods, metrics }
  const routes = config.routes.map((route): CompiledRoute => {
    const effective = resolveRoute(route, config)
    const policies = compileRoutePolicies(effective, deps)
    return {
      id: route.id,
      path: route.path,
      path_prefix: route.path_prefix,
      methods: route.methods,
      match: route.match,
      policies,
      handler: compileHandler(route, effective, runtime, pools, breakers, policies),
      claimsPreflight: policies.request.some((h) => h.name === 'cors'),
    }
  })
  const ready = Promise.all([...authMethods.values(), runtime.ready]).then(() => {})
  const handle = createPipeline({
    runtime,
    router: compileRouter(routes),
    metrics,
    finish: createFinish(config, runtime, metrics),
    requestLimits: requestLimitsOf(config.listeners),
    resolveClientIp: createClientIpResolver(config.trusted_proxies),
    globalIpFilter: createGlobalIpFilter(config.ip_filter),
    trusted: compileCidrs(config.trusted_proxies.cidrs, 'trusted_proxies.cidrs'),
    tracing: createTracing(config),
  })
  const version = ++versions
  const stopCollect =
    metrics === null
      ? () => {}
      : runtime.metrics!.onCollect(function collectGatewayState() {
          const now = runtime.now()
          for (const [route, b] of breakers.entries) {
            const state = b.state(now)
            metrics.circuitState.set([route], state === 'open' ? 2 : state === 'half_open' ? 1 : 0)
          }
          for (const [owner, targets] of pools.owners) {
            for (const t of targets) metrics.backendHealth.set([owner, t.url], isAvailable(t, now) ? 1 : 0)
          }
        })

  return {
    config,
    version,
    upstreams,
    ready,
    handle,
    // The same function: a forwarder answers `Sent` only through a native channel it finds in
    // RequestInfo.native, which only Node's listener passes; every other adapter gets a Response.
    fetch: handle as Gateway['fetch'],
    inactive: inactiveKeysOf(config),
    routes: () => config.routes.map(summarizeRoute),
    backends: () => pools.snapshot(runtime.now()),
    availableBackends: () => pools.available(runtime.now()),
    close() {
      pools.release()
      breakers.release()
      stopCollect()
    },
    controlCircuit(route, action) {
      const b = breakers.get(route)
      b?.force(action, runtime.now())
      return b !== undefined
    },
    circuitBreakers() {
      const now = runtime.now()
      return [...breakers.entries].map(([route, b]) => ({ route, state: b.state(now), retry_after_s: b.state(now) === 'open' ? b.retryAfter(now) : 0 }))
    },
  }
}

/** Without stores from the adapter (tests): one in-memory store per config version. */
function memoryStores(config: Config): LimitStores {
  const local = createMemoryStore({ maxKeys: config.store.max_keys })
  return { local, shared: local }
}

function summarizeRoute(r: RouteConfig): RouteSummary {
  // traffic_split first: backends or an upstream beside it (as Runway requires) are not balanced over.
  const split = r.traffic_split?.map((g) => g.name).join(',')
  const target = r.echo ? 'echo' : split ? `traffic_split:${split}` : r.upstream ? `upstream:${r.upstream}` : (r.backends ?? []).map((b) => b.url).join(',')
  return { id: r.id, path: r.path, path_prefix: r.path_prefix, methods: r.methods, domains: r.match.domains, target }
}
