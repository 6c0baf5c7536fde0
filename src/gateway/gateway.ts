/**
 * compile(Config) → Gateway: routes, matchers, balancers, transforms and the client-IP
 * resolver are built here once per config version; `handle` only looks things up.
 * @module
 */
import type { Config, RouteConfig } from '../config/types.ts'
import { type BackendPool, type BackendTarget, createPool, isAvailable, toTargets } from '../balancer/pool.ts'
import { probe, type ResolvedHealthCheck, resolveHealthCheck } from '../resilience/health-check.ts'
import { createOutlierDetector } from '../resilience/outlier.ts'
import { inactiveFeatures } from '../config/inactive.ts'
import { compileCidrs } from '../net/cidr.ts'
import { createClientIpResolver } from '../net/client-ip.ts'
import { formatIp } from '../net/ip.ts'
import { requestIdFrom } from '../observability/request-id.ts'
import { observeBody } from '../proxy/streams.ts'
import { normalizePath } from '../router/normalize.ts'
import { compileRouter } from '../router/router.ts'
import type { RequestContext } from './context.ts'
import { echoResponse } from './echo.ts'
import { GatewayError, errorResponse } from './errors.ts'
import { createProxyHandler, type RouteHandler, transformVars } from './proxy-route.ts'
import { createHeaderTransformer } from './transform.ts'
import type { BackendSummary, Gateway, RequestInfo, RouteSummary, Runtime } from './types.ts'

interface CompiledRoute extends Pick<RouteConfig, 'id' | 'path' | 'path_prefix' | 'methods' | 'match'> {
  handler: RouteHandler
}

let versions = 0

interface PoolRegistry {
  /** Targets by owner (`upstream name` or `route:<id>`), shared by every route of an upstream. */
  targets: Map<string, BackendTarget[]>
  /** One active check per owner. */
  checks: Map<string, { check: ResolvedHealthCheck; targets: BackendTarget[] }>
}

function poolFor(route: RouteConfig, config: Config, reg: PoolRegistry): BackendPool | null {
  const upstream = route.backends ? undefined : route.upstream === undefined ? undefined : config.upstreams[route.upstream]
  if (!route.backends && upstream === undefined) return null
  const owner = route.backends ? `route:${route.id}` : route.upstream!
  let targets = reg.targets.get(owner)
  if (targets === undefined) {
    targets = toTargets(route.backends ?? upstream!.backends)
    reg.targets.set(owner, targets)
    const check = resolveHealthCheck(config.health_check, upstream?.health_check, route.health_check)
    if (check !== null) reg.checks.set(owner, { check, targets })
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
function startChecks(reg: PoolRegistry, runtime: Runtime): () => void {
  if (reg.checks.size === 0) return () => {}
  if (runtime.schedule === undefined) {
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

function compileRoute(route: RouteConfig, config: Config, runtime: Runtime, reg: PoolRegistry): CompiledRoute {
  let handler: RouteHandler
  if (route.echo) {
    const responseTransform = createHeaderTransformer(route.transform?.response?.headers)
    handler = async function echoRoute(ctx) {
      const res = await echoResponse(ctx.request, ctx.url, ctx.path)
      res.headers.set('x-request-id', ctx.requestId)
      if (responseTransform !== null) responseTransform(res.headers, transformVars(ctx))
      return res
    }
  } else {
    const pool = poolFor(route, config, reg)
    if (pool !== null) {
      handler = createProxyHandler(route, pool, runtime)
    } else {
      // Only a `service` (service discovery) target gets here; it is listed as inactive at startup.
      handler = function discoveryNotActive() {
        return Promise.reject(new GatewayError(503, 'no_backend', 'service discovery is not active in this version'))
      }
    }
  }
  return { id: route.id, path: route.path, path_prefix: route.path_prefix, methods: route.methods, match: route.match, handler }
}

export function createGateway(config: Config, runtime: Runtime): Gateway {
  const reg: PoolRegistry = { targets: new Map(), checks: new Map() }
  const routes = config.routes.map((r) => compileRoute(r, config, runtime, reg))
  const stopChecks = startChecks(reg, runtime)
  const router = compileRouter(routes)
  const resolveClientIp = createClientIpResolver(config.trusted_proxies)
  const trusted = compileCidrs(config.trusted_proxies.cidrs, 'trusted_proxies.cidrs')
  const accessLog = config.logging.access_log
  const { logger } = runtime
  const version = ++versions

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
      ctx = {
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
        upstream: null,
        retries: 0,
        logAccess: null,
        bodyObserved: false,
      }
      if (accessLog) {
        const done = ctx
        done.logAccess = (status, bytes) => writeAccess(done, request, routeId, status, bytes, startedAt)
      }
      const handled = await m.route.handler(ctx)
      // null: the forwarder wrote the response itself (Node) and logs through ctx.logAccess.
      if (handled === null) return info.alreadySent ?? new Response(null, { status: 500 })
      response = handled
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
      if (accessLog) writeAccess(ctx, request, routeId, response.status, -1, startedAt)
      return response
    }
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
    close: stopChecks,
  }
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

/** Live view for the admin API: every backend with its in-flight count and latency EWMA. */
function listBackends(shared: Map<string, BackendTarget[]>, now: number): BackendSummary[] {
  const out: BackendSummary[] = []
  for (const [owner, targets] of shared) {
    const where = owner.startsWith('route:') ? { route: owner.slice(6) } : { upstream: owner }
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
