/**
 * The WebSocket handshake of a route with `websocket` (RFC 6455 §4). It runs after the route's
 * request policies (ip_filter, auth, rate_limit — one token per connection — and the CORS origin
 * rule below), so a refused handshake gets the gateway's JSON error and no upstream sees it.
 * Then an endpoint is picked as for any request (split, affinity, balancer, health and outlier
 * state); a connection that cannot be made is tried on the next endpoint, and the adapter's
 * `Upgrade` switches both connections (a byte tunnel on the node:http bridge, the upstream's own
 * 101 on Workers). Requests without `Upgrade: websocket` go to the route's proxy handler.
 * @module
 */
import type { RouteConfig } from '../config/types.ts'
import type { RequestContext } from '../core/context.ts'
import { GatewayError } from '../core/errors.ts'
import type { ResponseHeadHook, RouteHandler, UpstreamRequestHook } from '../core/policy.ts'
import type { DirectSink, Runtime, Sent, Tunnel, UpgradeRequest } from '../core/runtime.ts'
import { type WebSocketMetrics, webSocketMetrics } from '../observability/websocket-metrics.ts'
import { stripHopByHop } from '../proxy/hop-by-hop.ts'
import { finishHead, finishUpstreamResponse } from '../proxy/response-head.ts'
import { createPathRewriter, joinBasePath } from '../proxy/rewrite.ts'
import { buildUpstreamHeaders } from '../proxy/upstream-request.ts'
import { countsAsFailure, noHealthyBackend } from '../resilience/attempts.ts'
import type { CircuitBreaker } from '../resilience/circuit-breaker.ts'
import type { HttpEndpoint } from '../upstream/endpoint.ts'
import type { RouteTargets } from '../upstream/registry.ts'
import { DEFAULT_REQUEST_TIMEOUT_MS } from './proxy.ts'
import { isWebSocketUpgrade } from './websocket-upgrade.ts'

export interface WebSocketDeps {
  runtime: Runtime
  breaker: CircuitBreaker | null
  upstreamRequest: readonly UpstreamRequestHook[]
  responseHead: readonly ResponseHeadHook[]
  /** The route's CORS origin rule (Fetch: browsers do not apply CORS to WebSocket), or null. */
  originAllowed: ((origin: string) => boolean) | null
}

/** Endpoints a handshake whose connection fails is tried on, at most (nothing was sent yet). */
const MAX_CONNECT_TRIES = 3

function isTunnel(answer: Response | Tunnel): answer is Tunnel {
  return !(answer instanceof Response)
}

/** The 101 head for the client: hop-by-hop fields off, then the two the switch needs (RFC 9110 §7.8). */
function upgradeHead(ctx: RequestContext, hooks: readonly ResponseHeadHook[]): DirectSink {
  return {
    head(head) {
      stripHopByHop(head.headers)
      finishHead(ctx, head, hooks)
      head.headers.set('connection', 'upgrade')
      head.headers.set('upgrade', 'websocket')
    },
  }
}

export function createWebSocketHandler(route: RouteConfig, targets: RouteTargets, deps: WebSocketDeps, inner: RouteHandler): RouteHandler {
  const { runtime, breaker, upstreamRequest: upHooks, responseHead: headHooks, originAllowed } = deps
  const ws = route.websocket!
  const now = runtime.now
  const metrics: WebSocketMetrics | null = runtime.metrics ? webSocketMetrics(runtime.metrics) : null
  const rewrite = createPathRewriter(route)
  const hostOverride = route.rewrite?.host || null
  const tp = route.timeout_policy ?? {}
  const handshakeTimeoutMs = tp.header_timeout ?? route.timeout ?? tp.request ?? DEFAULT_REQUEST_TIMEOUT_MS
  const limits = {
    handshakeTimeoutMs,
    idleTimeoutMs: ws.read_timeout ?? 0,
    writeTimeoutMs: ws.write_timeout ?? 0,
    maxLifetimeMs: ws.max_lifetime ?? 0,
  }
  const id = route.id

  /** One handshake on one endpoint; outlier state as for any exchange. */
  async function attempt(ctx: RequestContext, backend: HttpEndpoint, request: UpgradeRequest, outlier: RouteTargets['pool']['outlier']) {
    ctx.upstream = backend.origin
    backend.inflight++
    try {
      const answer = await ctx.info.upgrade!(request)
      const status = isTunnel(answer) ? 101 : answer.status
      if (status >= 500) outlier?.failure(backend, now())
      else outlier?.success(backend, now())
      return answer
    } catch (err) {
      if (countsAsFailure(err)) outlier?.failure(backend, now())
      throw err
    } finally {
      backend.inflight--
    }
  }

  /** Waits for the tunnel's close: the log phase then writes the connection's one access line. */
  async function untilClosed(tunnel: Tunnel): Promise<Sent> {
    metrics?.open.add([id], 1)
    const end = await tunnel.closed
    metrics?.open.add([id], -1)
    if (metrics !== null) {
      metrics.duration.observe([id], (now() - end.openedAt) / 1000)
      metrics.bytes.inc([id, 'to_client'], end.sent)
      metrics.bytes.inc([id, 'to_upstream'], end.received)
      metrics.closes.inc([id, end.closedBy])
    }
    return { kind: 'sent', status: 101, bytes: end.sent, aborted: false, headAt: end.openedAt }
  }

  async function handshake(ctx: RequestContext): Promise<Response | Sent> {
    const { request } = ctx
    if (ctx.info.upgrade === undefined) {
      throw new GatewayError(501, 'websocket_unsupported', 'this listener cannot switch protocols (docs/protocols.md)')
    }
    // Cross-site WebSocket hijacking: a browser sends Origin but enforces nothing, so the route's
    // CORS origins are the gateway's to enforce on the handshake (RFC 6455 §10.2).
    const origin = request.headers.get('origin')
    if (originAllowed !== null && origin !== null && !originAllowed(origin)) {
      throw new GatewayError(403, 'origin_not_allowed', 'this origin may not open a WebSocket here')
    }
    if (breaker !== null && !breaker.allow(now())) {
      throw new GatewayError(503, 'circuit_open', 'circuit breaker is open for this route', { 'retry-after': String(breaker.retryAfter(now())) })
    }
    let pool = targets.select === null ? targets.pool : targets.select(request.headers, ctx.clientIp)
    const key = targets.key(ctx.clientIp, ctx.path, request.headers)
    const pinned = targets.affinity?.find(request.headers, now()) ?? null
    if (pinned !== null) pool = pinned.pool
    const path = rewrite === null ? ctx.path : rewrite(ctx.path, ctx.matched)
    const headers = buildUpstreamHeaders(ctx, hostOverride, upHooks)
    headers.set('connection', 'upgrade')
    headers.set('upgrade', 'websocket')
    const head = upgradeHead(ctx, headHooks)
    const tried: HttpEndpoint[] = []
    let backend = pinned?.target ?? pool.pick(key, now())
    for (;;) {
      if (backend === null) throw noHealthyBackend()
      tried.push(backend)
      const url = backend.origin + joinBasePath(backend.basePath, path) + ctx.url.search
      try {
        const answer = await attempt(ctx, backend, { url, headers, head, ...limits }, pool.outlier)
        if (isTunnel(answer) || answer.status < 500) breaker?.success(now())
        else breaker?.failure(now())
        if (isTunnel(answer)) {
          metrics?.upgrades.inc([id, 'switched'])
          return untilClosed(answer)
        }
        // Workers: the upstream's 101 Response carries the socket (`webSocket`); a copy would drop it.
        if (answer.status === 101) {
          metrics?.upgrades.inc([id, 'switched'])
          return answer
        }
        metrics?.upgrades.inc([id, 'refused'])
        return finishUpstreamResponse(ctx, answer, headHooks, null, backend, runtime.mutableResponses === true)
      } catch (err) {
        // Only a connection that was never made is tried again: a handshake that was sent is not replayed.
        const retry = err instanceof GatewayError && err.status === 502 && tried.length < MAX_CONNECT_TRIES
        const next = retry ? pool.pick(key, now(), tried) : null
        if (next === null) {
          if (countsAsFailure(err)) breaker?.failure(now())
          metrics?.upgrades.inc([id, 'failed'])
          throw err
        }
        ctx.retries++
        backend = next
      }
    }
  }

  return function webSocketRoute(ctx) {
    return isWebSocketUpgrade(ctx.request) ? handshake(ctx) : inner(ctx)
  }
}
