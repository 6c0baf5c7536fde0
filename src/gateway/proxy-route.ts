/**
 * The forwarding handler of a route with `backends`/`upstream`: picks a backend, builds the
 * upstream request in one pass over the headers, forwards, and cleans the response.
 * @module
 */
import type { BackendConfig, RouteConfig } from '../config/types.ts'
import { createRoundRobin } from '../balancer/round-robin.ts'
import { copyEndToEnd } from '../proxy/hop-by-hop.ts'
import { setForwardedHeaders } from '../proxy/forwarded.ts'
import { createPathRewriter, joinBasePath } from '../proxy/rewrite.ts'
import { bodyTooLarge, limitBody, observeBody, readBounded } from '../proxy/streams.ts'
import type { RequestContext } from './context.ts'
import { createHeaderTransformer, type TransformVars } from './transform.ts'
import type { Runtime } from './types.ts'

/** Default time to upstream response headers when the route sets none (Envoy uses 15s, Kong 60s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

// Statuses whose responses never carry a body (Fetch standard "null body status").
const NULL_BODY = new Set([101, 103, 204, 205, 304])
// Set by us after the copy; `host` is derived from the backend URL by the forwarder.
const DROP_REQUEST = new Set(['host', 'x-request-id', 'x-forwarded-for', 'via'])
const DROP_RESPONSE = new Set(['x-request-id'])

interface Backend {
  origin: string
  basePath: string
  weight: number
}

export type RouteHandler = (ctx: RequestContext) => Promise<Response>

function toBackend(b: BackendConfig): Backend {
  const u = new URL(b.url)
  return { origin: u.origin, basePath: u.pathname === '/' ? '' : u.pathname, weight: b.weight }
}

function minPositive(...values: (number | undefined)[]): number {
  let out = 0
  for (const v of values) if (v !== undefined && v > 0 && (out === 0 || v < out)) out = v
  return out
}

export function createProxyHandler(route: RouteConfig, backends: BackendConfig[], runtime: Runtime): RouteHandler {
  const balancer = createRoundRobin(backends.map(toBackend))
  const rewrite = createPathRewriter(route)
  const hostOverride = route.rewrite?.host || null
  const requestTransform = createHeaderTransformer(route.transform?.request?.headers)
  const responseTransform = createHeaderTransformer(route.transform?.response?.headers)
  const limit = route.max_body_size ?? 0
  const tp = route.timeout_policy ?? {}
  const headerTimeoutMs = minPositive(route.timeout ?? tp.request ?? DEFAULT_REQUEST_TIMEOUT_MS, tp.header_timeout, tp.backend)
  const idleMs = tp.idle ?? 0
  const forward = runtime.forward

  return async function proxyRoute(ctx: RequestContext): Promise<Response> {
    const { request } = ctx
    const backend = balancer.next()
    const path = rewrite === null ? ctx.path : rewrite(ctx.path, ctx.matched)
    const url = backend.origin + joinBasePath(backend.basePath, path) + ctx.url.search
    ctx.upstream = backend.origin

    const headers = copyEndToEnd(request.headers, DROP_REQUEST)
    setForwardedHeaders(headers, request.headers, {
      peer: ctx.peer,
      proto: ctx.url.protocol === 'https:' ? 'https' : 'http',
      host: ctx.host,
      peerTrusted: ctx.peerTrusted,
    })
    headers.set('x-request-id', ctx.requestId)
    if (hostOverride !== null) headers.set('host', hostOverride)
    let vars: TransformVars | undefined
    if (requestTransform !== null) {
      vars = transformVars(ctx)
      requestTransform(headers, vars)
    }

    let body: ReadableStream<Uint8Array> | Uint8Array | null = request.body
    if (body !== null && limit > 0) {
      const declared = request.headers.get('content-length')
      if (declared === null) {
        body = await readBounded(body, limit)
        headers.set('content-length', String(body.byteLength))
      } else if (Number(declared) > limit) {
        throw bodyTooLarge(limit)
      } else {
        body = limitBody(body, limit) // a client sending more than it declared is cut off
      }
    }

    const res = await forward(
      { method: request.method, url, headers, body, signal: request.signal, headerTimeoutMs, idleTimeoutMs: idleMs },
      ctx.info,
    )

    const outHeaders = copyEndToEnd(res.headers, DROP_RESPONSE)
    outHeaders.set('x-request-id', ctx.requestId)
    if (responseTransform !== null) responseTransform(outHeaders, vars ?? transformVars(ctx))
    let outBody: ReadableStream<Uint8Array> | null = res.body
    if (outBody !== null && (NULL_BODY.has(res.status) || request.method === 'HEAD')) {
      outBody.cancel().catch(() => {})
      outBody = null
    }
    if (outBody !== null) {
      ctx.bodyObserved = true
      outBody = observeBody(outBody, idleMs, (bytes, aborted) => ctx.onBodyEnd?.(bytes, aborted))
    }
    return new Response(outBody, { status: res.status, statusText: res.statusText, headers: outHeaders })
  }
}

export function transformVars(ctx: RequestContext): TransformVars {
  return {
    request_id: ctx.requestId,
    remote_addr: ctx.clientIp,
    host: ctx.host,
    method: ctx.request.method,
    path: ctx.path,
  }
}
