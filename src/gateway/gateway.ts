/**
 * compile(Config) → Gateway: routes, matchers, balancers, transforms and the client-IP
 * resolver are built here once per config version; `handle` only looks things up.
 * @module
 */
import type { Config, RouteConfig } from '../config/types.ts'
import { isAvailable } from '../upstream/endpoint.ts'
import type { UpstreamVersion } from '../upstream/registry.ts'
import type { BreakerVersion } from '../resilience/circuit-breaker.ts'
import { createUpstreamState } from './upstream-state.ts'
import { inactiveFeatures } from '../config/inactive.ts'
import { compileCidrs } from '../net/cidr.ts'
import { createClientIpResolver } from '../net/client-ip.ts'
import { formatIp } from '../net/ip.ts'
import { type GatewayMetrics, gatewayMetrics } from '../observability/gateway-metrics.ts'
import { requestIdFrom } from '../observability/request-id.ts'
import { createTracing, type RequestTrace } from '../observability/tracing.ts'
import { observeBody } from '../proxy/streams.ts'
import { normalizePath } from '../router/normalize.ts'
import { type LimitStores, type RouteLimiter, createRouteLimiter } from '../policies/limits.ts'
import { createMemoryStore } from '../store/memory-store.ts'
import { createRouteAuth, type RouteAuthenticator } from '../policies/auth/auth-chain.ts'
import { createAuthMethods } from '../policies/auth/methods.ts'
import type { AuthMethod, AuthMethodName } from '../policies/auth/types.ts'
import { compileRouter } from '../router/router.ts'
import type { RequestContext } from './context.ts'
import { clientCertEdits } from './client-cert.ts'
import { echoResponse } from './echo.ts'
import { GatewayError, errorResponse } from './errors.ts'
import { transformVars } from './proxy-helpers.ts'
import { createProxyHandler, type RouteHandler } from './proxy-route.ts'
import { applyEdits } from './header-edits.ts'
import { checkRequestLimits, requestLimitsOf } from './request-limits.ts'
import { createAccessShape, shapeAccess } from '../observability/access-fields.ts'
import { createEdgePolicies, createGlobalIpFilter, type EdgePolicies } from '../policies/edge.ts'
import { createHeaderTransformer } from './transform.ts'
import type { Gateway, RequestInfo, RouteSummary, Runtime, UpstreamState } from './types.ts'

interface CompiledRoute extends Pick<RouteConfig, 'id' | 'path' | 'path_prefix' | 'methods' | 'match'> {
  handler: RouteHandler
  /** rate_limit / spike_arrest / quota, run before the handler; null when the route has none. */
  limits: RouteLimiter | null
  /** The route's `auth`, run before the limits (client_id keys need the identity). */
  auth: RouteAuthenticator | null
  edge: EdgePolicies
}

let versions = 0

function compileRoute(
  route: RouteConfig,
  config: Config,
  runtime: Runtime,
  pools: UpstreamVersion,
  breakers: BreakerVersion,
  stores: LimitStores,
  metrics: GatewayMetrics | null,
  authMethods: Map<AuthMethodName, Promise<AuthMethod>>,
): CompiledRoute {
  const limits = createRouteLimiter(route, config, stores, metrics)
  const auth = route.auth !== undefined && route.auth.methods.length > 0 ? createRouteAuth(route.id, route.auth, authMethods) : null
  let handler: RouteHandler
  if (route.echo) {
    const responseTransform = createHeaderTransformer(route.transform?.response?.headers)
    handler = async function echoRoute(ctx) {
      const res = await echoResponse(ctx.request, ctx.url, ctx.path)
      res.headers.set('x-request-id', ctx.requestId)
      if (ctx.responseHeaders !== null) applyEdits(res.headers, ctx.responseHeaders)
      if (responseTransform !== null) responseTransform(res.headers, transformVars(ctx))
      return res
    }
  } else {
    const targets = pools.targets(route.id)
    if (targets !== null) {
      handler = createProxyHandler(route, targets, runtime, breakers)
    } else {
      // Only a `service` (service discovery) target gets here; it is listed as inactive at startup.
      handler = function discoveryNotActive() {
        return Promise.reject(new GatewayError(503, 'no_backend', 'service discovery is not active in this version'))
      }
    }
  }
  return { id: route.id, path: route.path, path_prefix: route.path_prefix, methods: route.methods, match: route.match, handler, limits, auth, edge: createEdgePolicies(route, config) }
}

/** `upstreams`: the previous version's on reload (live state is kept); a fresh one otherwise. */
export function createGateway(config: Config, runtime: Runtime, upstreams: UpstreamState = createUpstreamState(runtime)): Gateway {
  const pools = upstreams.pools.reconcile(config)
  const breakers = upstreams.breakers.version()
  const metrics = runtime.metrics ? gatewayMetrics(runtime.metrics) : null
  const stores: LimitStores = runtime.stores ?? memoryStores(config)
  const authMethods = createAuthMethods(config.authentication, { fetch: runtime.fetch ?? fetch, store: stores.shared })
  const routes = config.routes.map((r) => compileRoute(r, config, runtime, pools, breakers, stores, metrics, authMethods))
  const ready = Promise.all([...authMethods.values(), runtime.ready]).then(() => {})
  const router = compileRouter(routes)
  const resolveClientIp = createClientIpResolver(config.trusted_proxies)
  const globalIpFilter = createGlobalIpFilter(config)
  const requestLimits = requestLimitsOf(config.listeners)
  const recordRequest = runtime.recordRequest
  const apiKeyHeader = config.authentication?.api_key?.header
  const accessShape = createAccessShape(config.logging.access_log_fields, config.logging.access_log_headers, apiKeyHeader ? [apiKeyHeader] : [])
  const trusted = compileCidrs(config.trusted_proxies.cidrs, 'trusted_proxies.cidrs')
  const accessLog = config.logging.access_log
  const tracing = createTracing(config)
  const { logger } = runtime
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

  async function handle(request: Request, info: RequestInfo): Promise<Response> {
    const startedAt = runtime.now()
    const requestId = requestIdFrom(request.headers)
    let ctx: RequestContext | null = null
    let routeId: string | null = null
    let trace: RequestTrace | null = null
    let response: Response
    try {
      const url = new URL(request.url)
      const tooBig = checkRequestLimits(request.url.length - url.origin.length, request.headers, requestLimits)
      if (tooBig !== null) throw tooBig
      const path = normalizePath(url.pathname)
      if (path === null) throw new GatewayError(400, 'bad_request', 'malformed request path')
      const peer = formatIp(info.remoteAddr)
      const host = request.headers.get('host') ?? url.host
      const clientIp = resolveClientIp(peer, request.headers)
      if (tracing !== null) trace = tracing.startRequest(request, url, clientIp)
      if (globalIpFilter !== null && !globalIpFilter(clientIp)) throw ipForbidden()
      // A CORS preflight is answered for the route the real request would reach (RFC: Fetch
      // standard §3.2.2), before auth and limits: preflights carry no credentials.
      if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method') && request.headers.has('origin')) {
        const pm = router.match(request.headers.get('access-control-request-method')!.toUpperCase(), host, path, request.headers, url)
        if (pm.kind === 'match' && pm.route.edge.cors !== null) {
          if (pm.route.edge.ipFilter !== null && !pm.route.edge.ipFilter(clientIp)) throw ipForbidden()
          const pre = pm.route.edge.cors.preflight(request)
          if (pre !== null) {
            const out = new Response(pre.body, pre)
            out.headers.set('x-request-id', requestId)
            trace?.route(pm.route.id, pm.route.path)
            trace?.end(out.status)
            return out
          }
        }
      }
      const m = router.match(request.method, host, path, request.headers, url)
      if (m.kind === 'none') throw new GatewayError(404, 'route_not_found', 'no route matches this request')
      if (m.kind === 'method_not_allowed') {
        throw new GatewayError(405, 'method_not_allowed', `method ${request.method} is not allowed here`, {
          allow: m.allow.join(', '),
        })
      }
      routeId = m.route.id
      metrics?.active.add([routeId], 1)
      trace?.route(routeId, m.route.path)
      ctx = {
        route: routeId,
        request,
        url,
        path,
        requestId,
        clientIp,
        peer,
        peerTrusted: trusted.has(peer),
        host,
        info,
        startedAt,
        matched: m.matched,
        params: m.params,
        clientId: null,
        claims: null,
        upstreamHeaders: null,
        responseHeaders: null,
        upstream: null,
        retries: 0,
        status: 0,
        logAccess: null,
        bodyObserved: false,
        trace,
      }
      if (accessLog || trace !== null) {
        // Runs when the response is complete: on Node's direct path, after the upstream body.
        const done = ctx
        done.logAccess = (status, bytes) => {
          done.trace?.end(status)
          if (accessLog) writeAccess(done, request, routeId, status, bytes, startedAt)
        }
      }
      const edge = m.route.edge
      ctx.responseHeaders = edge.edits(request, url.protocol === 'https:')
      ctx.upstreamHeaders = clientCertEdits(info)
      if (info.clientCert?.verified && ctx.clientId === null) ctx.clientId = `cert:${info.clientCert.subject}`
      if (edge.ipFilter !== null && !edge.ipFilter(clientIp)) throw ipForbidden()
      if (m.route.auth !== null) await m.route.auth(ctx)
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
      // CORS and security fields on the gateway's own errors too: a browser can read a 401/429.
      if (ctx?.responseHeaders) applyEdits(response.headers, ctx.responseHeaders)
      if (metrics !== null && err instanceof GatewayError && err.status >= 500 && ctx?.upstream) {
        metrics.upstreamErrors.inc([routeId ?? '', ctx.upstream, err.code])
      }
      if (ctx !== null) record(ctx, request.method, response.status, startedAt)
      else {
        metrics?.requests.inc(['', request.method, String(response.status)])
        recordRequest?.('', request.method, response.status, runtime.now() - startedAt)
      }
      trace?.end(response.status)
      if (accessLog) writeAccess(ctx, request, routeId, response.status, -1, startedAt)
      return response
    }
  }

  /** Counts a routed request once its status is known, and ends its in-progress gauge. */
  function record(ctx: RequestContext, method: string, status: number, startedAt: number): void {
    recordRequest?.(ctx.route, method, status, runtime.now() - startedAt)
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
    const record = {
      request_id: ctx?.requestId ?? request.headers.get('x-request-id'),
      client_ip: ctx?.clientIp ?? formatIp(''),
      client_id: ctx?.clientId ?? null,
      method: request.method,
      path: ctx?.path ?? safePath(request.url),
      route,
      upstream: ctx?.upstream ?? null,
      retries: ctx?.retries ?? 0,
      status,
      duration_ms: Math.round((runtime.now() - startedAt) * 100) / 100,
      bytes,
    }
    logger.access(accessShape === null ? record : shapeAccess(record, accessShape, request.headers))
  }

  return {
    config,
    version,
    upstreams,
    ready,
    handle,
    inactive: inactiveFeatures(config),
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

function ipForbidden(): GatewayError {
  return new GatewayError(403, 'ip_forbidden', 'client address not allowed')
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

