/**
 * compile(Config) → Gateway: routes, matchers, balancers, transforms and the client-IP
 * resolver are built here once per config version; `handle` only looks things up.
 * @module
 */
import type { Config, RouteConfig } from '../config/types.ts'
import { isAvailable } from '../balancer/pool.ts'
import { listBackends, type PoolRegistry, routeTargets, startChecks } from './pools.ts'
import { inactiveFeatures } from '../config/inactive.ts'
import { compileCidrs } from '../net/cidr.ts'
import { createClientIpResolver } from '../net/client-ip.ts'
import { formatIp } from '../net/ip.ts'
import { type GatewayMetrics, gatewayMetrics } from '../observability/gateway-metrics.ts'
import { requestIdFrom } from '../observability/request-id.ts'
import { observeBody } from '../proxy/streams.ts'
import { normalizePath } from '../router/normalize.ts'
import { type LimitStores, type RouteLimiter, createRouteLimiter } from '../policies/limits.ts'
import { createMemoryStore } from '../store/memory-store.ts'
import { compileRouter } from '../router/router.ts'
import type { RequestContext } from './context.ts'
import { echoResponse } from './echo.ts'
import { GatewayError, errorResponse } from './errors.ts'
import { transformVars } from './proxy-helpers.ts'
import { createProxyHandler, type RouteHandler } from './proxy-route.ts'
import { createHeaderTransformer } from './transform.ts'
import type { Gateway, RequestInfo, RouteSummary, Runtime } from './types.ts'

interface CompiledRoute extends Pick<RouteConfig, 'id' | 'path' | 'path_prefix' | 'methods' | 'match'> {
  handler: RouteHandler
  /** rate_limit / spike_arrest / quota, run before the handler; null when the route has none. */
  limits: RouteLimiter | null
}

let versions = 0

function compileRoute(
  route: RouteConfig,
  config: Config,
  runtime: Runtime,
  reg: PoolRegistry,
  stores: LimitStores,
  metrics: GatewayMetrics | null,
): CompiledRoute {
  const limits = createRouteLimiter(route, config, stores, metrics)
  let handler: RouteHandler
  if (route.echo) {
    const responseTransform = createHeaderTransformer(route.transform?.response?.headers)
    handler = async function echoRoute(ctx) {
      const res = await echoResponse(ctx.request, ctx.url, ctx.path)
      res.headers.set('x-request-id', ctx.requestId)
      if (ctx.responseHeaders !== null) for (const [k, v] of ctx.responseHeaders) res.headers.set(k, v)
      if (responseTransform !== null) responseTransform(res.headers, transformVars(ctx))
      return res
    }
  } else {
    const targets = routeTargets(route, config, reg)
    if (targets !== null) {
      handler = createProxyHandler(route, targets, runtime, reg.breakers)
    } else {
      // Only a `service` (service discovery) target gets here; it is listed as inactive at startup.
      handler = function discoveryNotActive() {
        return Promise.reject(new GatewayError(503, 'no_backend', 'service discovery is not active in this version'))
      }
    }
  }
  return { id: route.id, path: route.path, path_prefix: route.path_prefix, methods: route.methods, match: route.match, handler, limits }
}

export function createGateway(config: Config, runtime: Runtime): Gateway {
  const reg: PoolRegistry = { targets: new Map(), checks: new Map(), breakers: new Map() }
  const metrics = runtime.metrics ? gatewayMetrics(runtime.metrics) : null
  const stores: LimitStores = runtime.stores ?? memoryStores(config)
  const routes = config.routes.map((r) => compileRoute(r, config, runtime, reg, stores, metrics))
  const stopChecks = startChecks(reg, runtime)
  const router = compileRouter(routes)
  const resolveClientIp = createClientIpResolver(config.trusted_proxies)
  const trusted = compileCidrs(config.trusted_proxies.cidrs, 'trusted_proxies.cidrs')
  const accessLog = config.logging.access_log
  const { logger } = runtime
  const version = ++versions
  const stopCollect =
    metrics === null
      ? () => {}
      : runtime.metrics!.onCollect(function collectGatewayState() {
          const now = runtime.now()
          for (const [route, b] of reg.breakers) {
            const state = b.state(now)
            metrics.circuitState.set([route], state === 'open' ? 2 : state === 'half_open' ? 1 : 0)
          }
          for (const [owner, targets] of reg.targets) {
            for (const t of targets) metrics.backendHealth.set([owner, t.url], isAvailable(t, now) ? 1 : 0)
          }
        })

  async function handle(request: Request, info: RequestInfo): Promise<Response> {
    const startedAt = runtime.now()
    const requestId = requestIdFrom(request.headers)
    let ctx: RequestContext | null = null
    let routeId: string | null = null
    let response: Response
    try {
      const url = new URL(request.url)
      const path = normalizePath(url.pathname)
      if (path === null) throw new GatewayError(400, 'bad_request', 'malformed request path')
      const peer = formatIp(info.remoteAddr)
      const host = request.headers.get('host') ?? url.host
      const m = router.match(request.method, host, path, request.headers, url)
      if (m.kind === 'none') throw new GatewayError(404, 'route_not_found', 'no route matches this request')
      if (m.kind === 'method_not_allowed') {
        throw new GatewayError(405, 'method_not_allowed', `method ${request.method} is not allowed here`, {
          allow: m.allow.join(', '),
        })
      }
      routeId = m.route.id
      metrics?.active.add([routeId], 1)
      ctx = {
        route: routeId,
        request,
        url,
        path,
        requestId,
        clientIp: resolveClientIp(peer, request.headers),
        peer,
        peerTrusted: trusted.has(peer),
        host,
        info,
        startedAt,
        matched: m.matched,
        params: m.params,
        clientId: null,
        claims: null,
        responseHeaders: null,
        upstream: null,
        retries: 0,
        status: 0,
        logAccess: null,
        bodyObserved: false,
      }
      if (accessLog) {
        const done = ctx
        done.logAccess = (status, bytes) => writeAccess(done, request, routeId, status, bytes, startedAt)
      }
      if (m.route.limits !== null) await m.route.limits(ctx, startedAt)
      const handled = await m.route.handler(ctx)
      // null: the forwarder wrote the response itself (Node) and logs through ctx.logAccess.
      if (handled === null) {
        record(ctx, request.method, ctx.status, startedAt)
        return info.alreadySent ?? new Response(null, { status: 500 })
      }
      response = handled
      record(ctx, request.method, response.status, startedAt)
      if (ctx.logAccess !== null && !ctx.bodyObserved) {
        const log = ctx.logAccess
        const status = response.status
        if (response.body === null) log(status, 0)
        else response = new Response(observeBody(response.body, 0, (bytes) => log(status, bytes)), response)
      }
      return response
    } catch (err) {
      if (!(err instanceof GatewayError)) {
        logger.error('unhandled error', { request_id: requestId, route: routeId, error: String(err) })
      } else if (err.status >= 500) {
        logger.warn('upstream error', { request_id: requestId, route: routeId, upstream: ctx?.upstream, code: err.code })
      }
      response = errorResponse(err, requestId)
      if (metrics !== null && err instanceof GatewayError && err.status >= 500 && ctx?.upstream) {
        metrics.upstreamErrors.inc([routeId ?? '', ctx.upstream, err.code])
      }
      if (ctx !== null) record(ctx, request.method, response.status, startedAt)
      else metrics?.requests.inc(['', request.method, String(response.status)])
      if (accessLog) writeAccess(ctx, request, routeId, response.status, -1, startedAt)
      return response
    }
  }

  /** Counts a routed request once its status is known, and ends its in-progress gauge. */
  function record(ctx: RequestContext, method: string, status: number, startedAt: number): void {
    if (metrics === null) return
    const route = ctx.route
    metrics.requests.inc([route, method, String(status)])
    metrics.duration.observe([route], (runtime.now() - startedAt) / 1000)
    metrics.active.add([route], -1)
    if (ctx.retries > 0) metrics.retries.inc([route], ctx.retries)
  }

  function writeAccess(
    ctx: RequestContext | null,
    request: Request,
    route: string | null,
    status: number,
    bytes: number,
    startedAt: number,
  ): void {
    logger.access({
      request_id: ctx?.requestId ?? request.headers.get('x-request-id'),
      client_ip: ctx?.clientIp ?? formatIp(''),
      method: request.method,
      path: ctx?.path ?? safePath(request.url),
      route,
      upstream: ctx?.upstream ?? null,
      retries: ctx?.retries ?? 0,
      status,
      duration_ms: Math.round((runtime.now() - startedAt) * 100) / 100,
      bytes,
    })
  }

  return {
    config,
    version,
    handle,
    inactive: inactiveFeatures(config),
    routes: () => config.routes.map(summarizeRoute),
    backends: () => listBackends(reg.targets, runtime.now()),
    availableBackends() {
      const now = runtime.now()
      let n = 0
      for (const targets of reg.targets.values()) for (const t of targets) if (isAvailable(t, now)) n++
      return n
    },
    close() {
      stopChecks()
      stopCollect()
    },
    controlCircuit(route, action) {
      const b = reg.breakers.get(route)
      b?.force(action, runtime.now())
      return b !== undefined
    },
    circuitBreakers() {
      const now = runtime.now()
      return [...reg.breakers].map(([route, b]) => ({ route, state: b.state(now), retry_after_s: b.state(now) === 'open' ? b.retryAfter(now) : 0 }))
    },
  }
}

/** Without stores from the adapter (tests): one in-memory store per config version. */
function memoryStores(config: Config): LimitStores {
  const local = createMemoryStore({ maxKeys: config.store.max_keys })
  return { local, shared: local }
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return ''
  }
}

function summarizeRoute(r: RouteConfig): RouteSummary {
  const target = r.echo ? 'echo' : r.upstream ? `upstream:${r.upstream}` : (r.backends ?? []).map((b) => b.url).join(',')
  return { id: r.id, path: r.path, path_prefix: r.path_prefix, methods: r.methods, domains: r.match.domains, target }
}

