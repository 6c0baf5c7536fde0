/**
 * The handler of a route with `backends`/`upstream`: picks a backend (split, affinity, the
 * pool's balancer), builds the upstream request once, runs the tries, and finishes the answer's
 * head through the response phase, on the Web path and on Node's direct path alike.
 * @module
 */
import { recordLatency } from '../balancer/types.ts'
import type { RouteConfig } from '../config/types.ts'
import type { RequestContext } from '../core/context.ts'
import { GatewayError } from '../core/errors.ts'
import type { HeaderList } from '../core/headers.ts'
import type { ResponseHeadHook, RouteHandler, UpstreamRequestHook } from '../core/policy.ts'
import type { DirectSink, Runtime, Sent, UpstreamAnswer, UpstreamRequest } from '../core/runtime.ts'
import type { HttpEndpoint } from '../upstream/endpoint.ts'
import type { BackendPool } from '../upstream/pool.ts'
import type { RouteTargets } from '../upstream/registry.ts'
import { gatewayMetrics } from '../observability/gateway-metrics.ts'
import { stripHopByHop } from '../proxy/hop-by-hop.ts'
import { finishHead, finishUpstreamResponse, type HeadExtra } from '../proxy/response-head.ts'
import { joinBasePath, createPathRewriter } from '../proxy/rewrite.ts'
import { observeBody, readBounded } from '../proxy/streams.ts'
import { buildUpstreamHeaders, upstreamBody } from '../proxy/upstream-request.ts'
import { createAdaptiveLimiter } from '../resilience/adaptive-concurrency.ts'
import { type AttemptPlan, countsAsFailure, noHealthyBackend, runAttempts, runHedged } from '../resilience/attempts.ts'
import type { CircuitBreaker } from '../resilience/circuit-breaker.ts'
import { createRetryPolicy } from '../resilience/retry.ts'

/** Default time to upstream response headers when the route sets none (Envoy uses 15s, Kong 60s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

export interface ProxyDeps {
  runtime: Runtime
  breaker: CircuitBreaker | null
  upstreamRequest: readonly UpstreamRequestHook[]
  responseHead: readonly ResponseHeadHook[]
}

/** Smallest positive value; 0 when none is set. */
function minPositive(...values: (number | undefined)[]): number {
  let out = 0
  for (const v of values) if (v !== undefined && v > 0 && (out === 0 || v < out)) out = v
  return out
}

function ignoreEnd(): void {}

export function createProxyHandler(route: RouteConfig, targets: RouteTargets, deps: ProxyDeps): RouteHandler {
  const { runtime, breaker, upstreamRequest: upHooks, responseHead: headHooks } = deps
  const now = runtime.now
  const forward = runtime.forward
  const inPlace = runtime.mutableResponses === true
  const { select, sticky, affinity } = targets
  const rewrite = createPathRewriter(route)
  const hostOverride = route.rewrite?.host || null
  const limit = route.max_body_size ?? 0
  const tp = route.timeout_policy ?? {}
  const requestTimeoutMs = route.timeout ?? tp.request ?? DEFAULT_REQUEST_TIMEOUT_MS
  const headerTimeoutMs = minPositive(requestTimeoutMs, tp.header_timeout, tp.backend)
  const idleMs = tp.idle ?? 0
  const retry = createRetryPolicy(route.retry_policy)
  const hedging = route.retry_policy?.hedging?.enabled ? route.retry_policy.hedging : null
  const hedgeMethods = new Set(route.retry_policy?.retryable_methods ?? [])
  const hedgeStatuses = new Set(route.retry_policy?.retryable_statuses ?? [])
  const tryTimeoutMs = minPositive(headerTimeoutMs, retry?.perTryTimeoutMs)
  // Per try, labelled by route and backend origin (both from config: bounded cardinality).
  const upstreamDuration = runtime.metrics ? gatewayMetrics(runtime.metrics).upstreamDuration : null

  /** The affinity pin for the backend that answered; null without session affinity. */
  const pin: HeadExtra<HttpEndpoint> =
    affinity === null
      ? null
      : function pinCookie(ctx, head, backend) {
          const cookie = affinity.cookie(backend, ctx.request.headers)
          if (cookie) head.headers.append('set-cookie', cookie)
        }

  /**
   * The response phase of an upstream answer on the Web path (every runtime but Node's direct
   * one). `pool`: the one `backend` is in, whose split group sticky names.
   */
  function finishWeb(ctx: RequestContext, res: Response, backend: HttpEndpoint, pool: BackendPool<HttpEndpoint>): Response {
    const out = finishUpstreamResponse(ctx, res, headHooks, pin, backend, inPlace)
    // Headers of a Response made here, or of the runtime's own when mutable (inPlace), take edits.
    if (sticky !== null) sticky.mark(out.headers, pool, ctx.request.headers)
    // The idle timeout of a fetch body: undici enforces its own (bodyTimeout) on Node.
    if (idleMs > 0 && out.body !== null) return new Response(observeBody(out.body, idleMs, ignoreEnd), out)
    return out
  }

  /** Node's direct path: the forwarder hands the raw head over before it writes it. */
  function directSink(ctx: RequestContext, backend: HttpEndpoint, pool: BackendPool<HttpEndpoint>): DirectSink {
    return {
      head(head) {
        stripHopByHop(head.headers)
        finishHead(ctx, head, headHooks)
        pin?.(ctx, head, backend)
        sticky?.mark(head.headers, pool, ctx.request.headers)
      },
    }
  }

  /** One exchange with one backend; keeps in-flight, latency and outlier state. */
  async function attempt(
    ctx: RequestContext,
    pool: BackendPool<HttpEndpoint>,
    backend: HttpEndpoint,
    path: string,
    headers: HeaderList,
    body: UpstreamRequest['body'],
    direct: DirectSink | undefined,
    timeoutMs: number,
    cancel?: AbortSignal,
  ): Promise<UpstreamAnswer> {
    ctx.upstream = backend.origin
    const outlier = pool.outlier
    const url = backend.origin + joinBasePath(backend.basePath, path) + ctx.url.search
    // ctx.retries is this try's number here (set just before the call): resends count from 1.
    const span = ctx.trace === null ? null : ctx.trace.startUpstream(ctx.request.method, url, ctx.retries, headers)
    // In flight = awaiting response headers; EWMA = time to response headers (least_conn, p2c,
    // least_response_time read both). On Node's direct path both cover the whole exchange.
    backend.inflight++
    const sentAt = now()
    let answer: UpstreamAnswer
    try {
      answer = await forward(
        { method: ctx.request.method, url, headers, body, original: ctx.request, cancel, headerTimeoutMs: timeoutMs, idleTimeoutMs: idleMs, direct },
        ctx.info,
      )
      const took = now() - sentAt
      ctx.upstreamMs = took
      recordLatency(backend, took)
      upstreamDuration?.observe([route.id, backend.origin], took / 1000)
    } catch (err) {
      if (countsAsFailure(err)) outlier?.failure(backend, now())
      span?.fail(err)
      throw err
    } finally {
      backend.inflight--
    }
    span?.end(answer.status)
    ctx.upstreamStatus = answer.status
    if (outlier !== null) {
      // A 5xx answer counts against the backend as a failed exchange does (Envoy: consecutive_5xx).
      if (answer.status >= 500) outlier.failure(backend, now())
      else outlier.success(backend, now())
    }
    return answer
  }

  async function proxyRoute(ctx: RequestContext): Promise<Response | Sent> {
    const { request } = ctx
    if (breaker !== null && !breaker.allow(now())) {
      const retryAfter = String(breaker.retryAfter(now()))
      throw new GatewayError(503, 'circuit_open', 'circuit breaker is open for this route', { 'retry-after': retryAfter })
    }
    let pool = select === null ? targets.pool : select(request.headers, ctx.clientIp)
    const key = targets.key(ctx.clientIp, ctx.path, request.headers)
    const pinned = affinity?.find(request.headers, now()) ?? null
    if (pinned !== null) pool = pinned.pool
    const first = pinned?.target ?? pool.pick(key, now())
    if (first === null) throw noHealthyBackend()
    const path = rewrite === null ? ctx.path : rewrite(ctx.path, ctx.matched)
    const headers = buildUpstreamHeaders(ctx, hostOverride, upHooks)
    let body = await upstreamBody(ctx, headers, limit)
    const next = (tried: readonly HttpEndpoint[]) => pool.pick(key, now(), tried) ?? pool.pick(key, now())

    if (hedging !== null && hedgeMethods.has(request.method) && (body === null || body instanceof Uint8Array || request.body === null)) {
      const res = await runHedged(ctx, hedging, hedgeStatuses, first, next, (b, _last, t, cancel) =>
        attempt(ctx, pool, b, path, headers, body === undefined ? null : body, undefined, t, cancel), headerTimeoutMs)
      return finishWeb(ctx, res, first, pool)
    }

    // Retries need a replayable body (bounded) and a retryable method; otherwise one attempt.
    let retries = 0
    if (retry?.methodAllowed(request.method)) {
      retries = retry.maxRetries
      if (body === undefined && request.body !== null) {
        const declared = Number(request.headers.get('content-length') ?? Number.NaN)
        if (declared <= retry.maxReplayBytes) body = await readBounded(request.body, retry.maxReplayBytes)
        else retries = 0 // unknown or large body: sent once, streamed, never retried
      } else if (body instanceof ReadableStream) retries = 0
    }
    // timeout_policy.request bounds the whole exchange including retries and their backoff.
    // 0 means no limit, as in Go's http.Server/Runway.
    const plan: AttemptPlan = {
      retry,
      retries,
      deadline: requestTimeoutMs > 0 ? ctx.startedAt + requestTimeoutMs : Number.POSITIVE_INFINITY,
      tryTimeoutMs,
      breaker,
      now,
    }
    let last: HttpEndpoint = first
    const answer = await runAttempts(ctx, plan, first, next, (b, isLast, t) => {
      last = b
      // The direct path writes the answer at once, so it is offered only when no retry may follow.
      return attempt(ctx, pool, b, path, headers, body, isLast ? directSink(ctx, b, pool) : undefined, t)
    })
    return answer instanceof Response ? finishWeb(ctx, answer, last, pool) : answer
  }

  const maxConcurrent = route.max_concurrent ?? 0
  const adaptiveCfg = route.traffic_shaping?.adaptive_concurrency
  const adaptive = adaptiveCfg?.enabled ? createAdaptiveLimiter(adaptiveCfg) : null
  if (maxConcurrent === 0 && adaptive === null) return proxyRoute
  let active = 0
  return async function limitedRoute(ctx) {
    if ((maxConcurrent > 0 && active >= maxConcurrent) || (adaptive !== null && !adaptive.acquire())) {
      throw new GatewayError(503, 'concurrency_limited', 'too many requests in flight on this route', { 'retry-after': '1' })
    }
    active++
    const started = now()
    let dropped = true
    try {
      const res = await proxyRoute(ctx)
      dropped = res.status >= 500
      return res
    } finally {
      active--
      adaptive?.release(now() - started, dropped)
    }
  }
}
