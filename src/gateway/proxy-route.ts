/**
 * The forwarding handler of a route with `backends`/`upstream`: picks a backend, builds the
 * upstream request in one pass over the headers, forwards, and cleans the response.
 * @module
 */
import type { HttpEndpoint } from '../upstream/endpoint.ts'
import type { BackendPool } from '../upstream/pool.ts'
import type { RouteTargets } from '../upstream/registry.ts'
import { recordLatency } from '../balancer/types.ts'
import type { BreakerVersion } from '../resilience/circuit-breaker.ts'
import { createAdaptiveLimiter } from '../resilience/adaptive-concurrency.ts'
import { hedge } from '../resilience/hedging.ts'
import { createResponseFinisher } from './response-finish.ts'
import { createRetryPolicy } from '../resilience/retry.ts'
import type { RouteConfig } from '../config/types.ts'
import { endUpstreamSpan, failUpstreamSpan } from '../observability/tracing.ts'
import { copyEndToEndList, stripHopByHopRecord } from '../proxy/hop-by-hop.ts'
import type { HeaderList } from '../proxy/header-list.ts'
import { setForwardedHeaders } from '../proxy/forwarded.ts'
import { createPathRewriter, joinBasePath } from '../proxy/rewrite.ts'
import { bodyTooLarge, limitBody, readBounded } from '../proxy/streams.ts'
import type { RequestContext } from './context.ts'
import { gatewayMetrics } from '../observability/gateway-metrics.ts'
import { CLIENT_CERT_FINGERPRINT_HEADER, CLIENT_CERT_SUBJECT_HEADER } from './client-cert.ts'
import { applyEditsToRecord } from './header-edits.ts'
import { GatewayError } from './errors.ts'
import { applyToRecord, countsAsFailure, minPositive, noHealthyBackend, sleep, transformVars } from './proxy-helpers.ts'
import { createHeaderTransformer, type TransformVars } from './transform.ts'
import type { DirectResponse, Runtime, UpstreamRequest } from './types.ts'

/** Default time to upstream response headers when the route sets none (Envoy uses 15s, Kong 60s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

// Set by us after the copy; `host` is derived from the backend URL by the forwarder.
// The client-certificate fields are ours alone (client-cert.ts): a client's copies never pass.
const DROP_REQUEST = new Set(['host', 'x-request-id', 'x-forwarded-for', 'via', CLIENT_CERT_SUBJECT_HEADER, CLIENT_CERT_FINGERPRINT_HEADER])

/** Resolves null when the forwarder already wrote the response through the native channel. */
export type RouteHandler = (ctx: RequestContext) => Promise<Response | null>

export function createProxyHandler(
  route: RouteConfig,
  targets: RouteTargets,
  runtime: Runtime,
  breakers: BreakerVersion,
): RouteHandler {
  const now = runtime.now
  const { select, affinity } = targets
  const rewrite = createPathRewriter(route)
  const hostOverride = route.rewrite?.host || null
  const requestTransform = createHeaderTransformer(route.transform?.request?.headers)
  const responseTransform = createHeaderTransformer(route.transform?.response?.headers)
  const limit = route.max_body_size ?? 0
  const tp = route.timeout_policy ?? {}
  const requestTimeoutMs = route.timeout ?? tp.request ?? DEFAULT_REQUEST_TIMEOUT_MS
  const headerTimeoutMs = minPositive(requestTimeoutMs, tp.header_timeout, tp.backend)
  const idleMs = tp.idle ?? 0
  const forward = runtime.forward

  const finishResponse = createResponseFinisher(responseTransform, affinity, idleMs, runtime.mutableResponses === true)
  const retry = createRetryPolicy(route.retry_policy)
  const hedging = route.retry_policy?.hedging?.enabled ? route.retry_policy.hedging : null
  const hedgeMethods = new Set(route.retry_policy?.retryable_methods ?? [])
  const hedgeStatuses = new Set(route.retry_policy?.retryable_statuses ?? [])
  const breaker = breakers.forRoute(route)
  const tryTimeoutMs = minPositive(headerTimeoutMs, retry?.perTryTimeoutMs)
  // Per try, labelled by route and backend origin (both from config: bounded cardinality).
  const upstreamDuration = runtime.metrics ? gatewayMetrics(runtime.metrics).upstreamDuration : null

  /** One exchange with one backend; keeps in-flight, latency and outlier state. */
  async function attempt(
    ctx: RequestContext,
    pool: BackendPool<HttpEndpoint>,
    backend: HttpEndpoint,
    path: string,
    headers: HeaderList,
    body: UpstreamRequest['body'],
    direct: DirectResponse | undefined,
    timeoutMs: number,
    cancel?: AbortSignal,
  ): Promise<Response | null> {
    ctx.upstream = backend.origin
    const outlier = pool.outlier
    const url = backend.origin + joinBasePath(backend.basePath, path) + ctx.url.search
    // ctx.retries is this try's number here (set just before the call): resends count from 1.
    const span = ctx.trace === null ? null : ctx.trace.startUpstream(ctx.request.method, url, ctx.retries, headers)
    // In flight = awaiting response headers; EWMA = time to response headers (least_conn, p2c,
    // least_response_time read both). On Node's direct path both cover the whole exchange.
    backend.inflight++
    const sentAt = now()
    let status = 0
    let res: Response | null
    try {
      res = await forward(
        {
          method: ctx.request.method,
          url,
          headers,
          body,
          original: ctx.request,
          cancel,
          headerTimeoutMs: timeoutMs,
          idleTimeoutMs: idleMs,
          direct: direct && {
            head(code, raw) {
              status = code
              direct.head(code, raw)
            },
            end: direct.end,
          },
        },
        ctx.info,
      )
      const took = now() - sentAt
      recordLatency(backend, took)
      upstreamDuration?.observe([route.id, backend.origin], took / 1000)
    } catch (err) {
      if (countsAsFailure(err)) outlier?.failure(backend, now())
      if (span !== null) failUpstreamSpan(span, err)
      throw err
    } finally {
      backend.inflight--
    }
    if (span !== null) endUpstreamSpan(span, res?.status ?? status)
    if (outlier !== null) {
      // A 5xx answer counts against the backend as a failed exchange does (Envoy: consecutive_5xx).
      if ((res?.status ?? status) >= 500) outlier.failure(backend, now())
      else outlier.success(backend, now())
    }
    return res
  }

  const maxConcurrent = route.max_concurrent ?? 0
  const adaptiveCfg = route.traffic_shaping?.adaptive_concurrency
  const adaptive = adaptiveCfg?.enabled ? createAdaptiveLimiter(adaptiveCfg) : null
  let active = 0

  if (maxConcurrent === 0 && adaptive === null) return proxyRoute
  return async function limitedRoute(ctx: RequestContext): Promise<Response | null> {
    if ((maxConcurrent > 0 && active >= maxConcurrent) || (adaptive !== null && !adaptive.acquire())) {
      throw new GatewayError(503, 'concurrency_limited', 'too many requests in flight on this route', { 'retry-after': '1' })
    }
    active++
    const started = now()
    let dropped = true
    try {
      const res = await proxyRoute(ctx)
      dropped = res !== null && res.status >= 500
      return res
    } finally {
      active--
      adaptive?.release(now() - started, dropped)
    }
  }

  async function proxyRoute(ctx: RequestContext): Promise<Response | null> {
    const { request } = ctx
    if (breaker !== null && !breaker.allow(now())) {
      const retryAfter = String(breaker.retryAfter(now()))
      throw new GatewayError(503, 'circuit_open', 'circuit breaker is open for this route', { 'retry-after': retryAfter })
    }
    let pool = select === null ? targets.pool : select(request.headers)
    const key = targets.key(ctx.clientIp, ctx.path, request.headers)
    const pinned = affinity?.find(request.headers, now()) ?? null
    if (pinned !== null) pool = pinned.pool
    let backend = pinned?.target ?? pool.pick(key, now())
    if (backend === null) throw noHealthyBackend()
    const path = rewrite === null ? ctx.path : rewrite(ctx.path, ctx.matched)

    const headers = copyEndToEndList(request.headers, DROP_REQUEST)
    setForwardedHeaders(headers, request.headers, {
      peer: ctx.peer,
      proto: ctx.url.protocol === 'https:' ? 'https' : 'http',
      host: ctx.host,
      peerTrusted: ctx.peerTrusted,
    })
    headers.set('x-request-id', ctx.requestId)
    if (ctx.upstreamHeaders !== null) {
      for (const [k, v] of ctx.upstreamHeaders) {
        if (v === null) headers.delete(k)
        else headers.set(k, v)
      }
    }
    if (hostOverride !== null) headers.set('host', hostOverride)
    let vars: TransformVars | undefined
    if (requestTransform !== null) {
      vars = transformVars(ctx)
      requestTransform(headers, vars)
    }

    // undefined = the client's body as received: the forwarder streams it from its source.
    let body: UpstreamRequest['body'] = request.method === 'GET' || request.method === 'HEAD' ? null : undefined
    if (body === undefined && limit > 0) {
      const declared = request.headers.get('content-length')
      if (declared === null) {
        if (request.body !== null) {
          body = await readBounded(request.body, limit)
          headers.set('content-length', String(body.byteLength))
        }
      } else if (Number(declared) > limit) {
        throw bodyTooLarge(limit)
      } else if (request.body !== null) {
        body = limitBody(request.body, limit) // a client sending more than it declared is cut off
      }
    }

    const tried: HttpEndpoint[] = []
    if (hedging !== null && hedgeMethods.has(request.method)) {
      const replayable = body === null || body instanceof Uint8Array
      if (replayable || request.body === null) {
        const first = backend
        const res = await hedge(hedging, (r) => r !== null && !hedgeStatuses.has(r.status), (i, cancel) => {
          const b = i === 0 ? first : (pool.pick(key, now(), tried) ?? pool.pick(key, now()))
          if (b === null) return Promise.reject(noHealthyBackend())
          tried.push(b)
          ctx.retries = i
          return attempt(ctx, pool, b, path, headers, body === undefined ? null : body, undefined, headerTimeoutMs, cancel)
        })
        return finishResponse(ctx, res!, vars, backend)
      }
    }

    // Retries need a replayable body (bounded) and a retryable method; otherwise one attempt.
    let retriesLeft = 0
    if (retry?.methodAllowed(request.method)) {
      retry.budget.request(now())
      retriesLeft = retry.maxRetries
      if (body === undefined && request.body !== null) {
        const declared = Number(request.headers.get('content-length') ?? Number.NaN)
        if (declared <= retry.maxReplayBytes) body = await readBounded(request.body, retry.maxReplayBytes)
        else retriesLeft = 0 // unknown or large body: sent once, streamed, never retried
      } else if (body instanceof ReadableStream) retriesLeft = 0
    }

    // The direct path writes the answer at once, so it is offered only when no retry may follow.
    const direct: DirectResponse = {
      head(code, raw) {
        ctx.status = code
        stripHopByHopRecord(raw)
        raw['x-request-id'] = ctx.requestId
        if (ctx.responseHeaders !== null) applyEditsToRecord(raw, ctx.responseHeaders)
        const pin = affinity?.cookie(backend!, request.headers)
        if (pin) {
          const prior = raw['set-cookie']
          raw['set-cookie'] = prior === undefined ? [pin] : [...(Array.isArray(prior) ? prior : [prior]), pin]
        }
        if (responseTransform !== null) applyToRecord(responseTransform, raw, vars ?? transformVars(ctx))
      },
      end(status, bytes) {
        ctx.logAccess?.(status, bytes)
      },
    }
    let res: Response | null = null
    let status = 0
    const track: DirectResponse =
      breaker === null
        ? direct
        : {
            head(code, raw) {
              status = code
              direct.head(code, raw)
            },
            end: direct.end,
          }
    // timeout_policy.request bounds the whole exchange including retries and their backoff.
    // 0 means no limit, as in Go's http.Server/Runway.
    const deadline = requestTimeoutMs > 0 ? ctx.startedAt + requestTimeoutMs : Number.POSITIVE_INFINITY
    try {
      for (let n = 0; ; n++) {
        tried.push(backend)
        const left = deadline - now()
        if (left <= 0) throw new GatewayError(504, 'upstream_timeout', 'request timeout reached before an answer')
        const last = retriesLeft === 0
        try {
          res = await attempt(ctx, pool, backend, path, headers, body, last ? track : undefined, Math.min(tryTimeoutMs, left))
          if (last || res === null || !retry!.statusRetryable(res.status) || !retry!.budget.tryRetry(now())) break
          await res.body?.cancel()
        } catch (err) {
          const retryable = err instanceof GatewayError && (err.status === 502 || err.status === 504)
          if (last || !retryable || !retry!.budget.tryRetry(now())) throw err
        }
        retriesLeft--
        ctx.retries = n + 1
        const pause = retry!.backoffMs(n)
        if (now() + pause >= deadline) retriesLeft = 0 // no time for another full try: last attempt now
        else await sleep(pause)
        // A different backend on each try where possible.
        backend = pool.pick(key, now(), tried) ?? pool.pick(key, now())
        if (backend === null) throw noHealthyBackend()
      }
    } catch (err) {
      if (countsAsFailure(err)) breaker?.failure(now())
      throw err
    }
    if (breaker !== null) {
      if ((res?.status ?? status) >= 500) breaker.failure(now())
      else breaker.success(now())
    }
    if (res === null) {
      ctx.bodyObserved = true
      return null
    }

    return finishResponse(ctx, res, vars, backend)
  }
}

