/**
 * The request path as phases (docs/phases.md): accept → route → request policies → handler →
 * response head → finish. Everything here was compiled by gateway.ts; per request it only
 * looks things up and calls.
 * @module
 */
import type { RequestContext, RequestTrace } from '../core/context.ts'
import { GatewayError, errorResponse } from '../core/errors.ts'
import type { RoutePolicies } from '../policies/registry.ts'
import type { RouteHandler } from '../core/policy.ts'
import type { RequestInfo, Runtime, Sent } from '../core/runtime.ts'
import type { CidrSet } from '../net/cidr.ts'
import { formatIp } from '../net/ip.ts'
import type { GatewayMetrics } from '../observability/gateway-metrics.ts'
import { requestIdFrom } from '../observability/request-id.ts'
import type { Tracing } from '../observability/tracing.ts'
import { ipForbidden, type IpFilter } from '../policies/ip-filter.ts'
import { clientCertEdits } from '../proxy/client-cert.ts'
import { finishHead } from '../proxy/response-head.ts'
import type { Router } from '../router/router.ts'
import { normalizePath } from '../router/normalize.ts'
import type { Finish } from './finish.ts'
import { checkRequestLimits, type RequestLimits } from './request-limits.ts'

export interface CompiledRoute {
  id: string
  path: string
  path_prefix: boolean
  methods: string[]
  match: import('../config/types.ts').RouteConfig['match']
  policies: RoutePolicies
  handler: RouteHandler
  /** A policy of the route answers CORS preflights (routed by Access-Control-Request-Method). */
  claimsPreflight: boolean
}

export interface PipelineParts {
  runtime: Runtime
  router: Router<CompiledRoute>
  metrics: GatewayMetrics | null
  finish: Finish
  requestLimits: RequestLimits
  resolveClientIp: (peer: string, headers: Headers) => string
  globalIpFilter: IpFilter | null
  trusted: CidrSet
  tracing: Tracing | null
}

export function createPipeline(p: PipelineParts): (request: Request, info: RequestInfo) => Promise<Response | Sent> {
  const { runtime, router, metrics, finish, requestLimits, resolveClientIp, globalIpFilter, trusted, tracing } = p
  const { logger } = runtime

  /** Route phase. A CORS preflight goes to the route the real request would reach (Fetch §3.2.2). */
  function route(request: Request, host: string, path: string, url: URL) {
    if (request.method === 'OPTIONS' && request.headers.has('origin')) {
      const acrm = request.headers.get('access-control-request-method')
      if (acrm !== null) {
        const pm = router.match(acrm.toUpperCase(), host, path, request.headers, url)
        if (pm.kind === 'match' && pm.route.claimsPreflight) return pm
      }
    }
    const m = router.match(request.method, host, path, request.headers, url)
    if (m.kind === 'none') throw new GatewayError(404, 'route_not_found', 'no route matches this request')
    if (m.kind === 'method_not_allowed') {
      throw new GatewayError(405, 'method_not_allowed', `method ${request.method} is not allowed here`, { allow: m.allow.join(', ') })
    }
    return m
  }

  /** Request policies in phase order, then the handler; a route without any costs one call. */
  function run(r: CompiledRoute, ctx: RequestContext): Promise<Response | Sent> {
    return r.policies.request.length === 0 ? r.handler(ctx) : runPolicies(r, ctx)
  }

  async function runPolicies(r: CompiledRoute, ctx: RequestContext): Promise<Response | Sent> {
    const hooks = r.policies.request
    for (let i = 0; i < hooks.length; i++) {
      const out = hooks[i].run(ctx)
      const answer = out instanceof Promise ? await out : out
      if (answer instanceof Response) {
        finishHead(ctx, { status: answer.status, headers: answer.headers }, r.policies.responseHead, hooks[i].name)
        return answer
      }
    }
    return r.handler(ctx)
  }

  function refuse(err: unknown, requestId: string, ctx: RequestContext | null, r: CompiledRoute | null): Response {
    if (!(err instanceof GatewayError)) {
      logger.error('unhandled error', { request_id: requestId, route: r?.id ?? null, error: String(err) })
    } else if (err.status >= 500) {
      logger.warn('upstream error', { request_id: requestId, route: r?.id ?? null, upstream: ctx?.upstream, code: err.code })
      if (metrics !== null && ctx?.upstream) metrics.upstreamErrors.inc([ctx.route, ctx.upstream, err.code])
    }
    const response = errorResponse(err, requestId)
    // CORS and security fields on the gateway's own errors too: a browser can read a 401/429.
    if (ctx !== null && r !== null) finishHead(ctx, { status: response.status, headers: response.headers }, r.policies.responseHead)
    return response
  }

  return async function handle(request, info) {
    const startedAt = runtime.now()
    const requestId = requestIdFrom(request.headers)
    let ctx: RequestContext | null = null
    let trace: RequestTrace | null = null
    let r: CompiledRoute | null = null
    let answer: Response | Sent
    try {
      // Accept: shape limits, path, client address, trace, the global IP filter.
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
      const m = route(request, host, path, url)
      r = m.route
      metrics?.active.add([r.id], 1)
      trace?.route(r.id, r.path)
      ctx = {
        route: r.id,
        request,
        url,
        path,
        requestId,
        clientIp,
        peer,
        peerTrusted: trusted.has(peer),
        host,
        https: url.protocol === 'https:',
        info,
        startedAt,
        matched: m.matched,
        params: m.params,
        clientId: info.clientCert?.verified ? `cert:${info.clientCert.subject}` : null,
        claims: null,
        upstreamHeaders: clientCertEdits(info),
        responseHeaders: null,
        upstream: null,
        upstreamStatus: 0,
        upstreamMs: 0,
        retries: 0,
        trace,
      }
      answer = await run(r, ctx)
    } catch (err) {
      answer = refuse(err, requestId, ctx, r)
    }
    return finish(request, info, ctx, trace, startedAt, answer)
  }
}
