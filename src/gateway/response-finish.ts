/**
 * Response-side policies on a Web Response (the path every runtime but Node's direct one
 * takes): hop-by-hop removal, X-Request-ID, transforms, the affinity pin cookie, and the body
 * wrapped only when the access log or an idle timeout needs to see it.
 * @module
 */
import type { HttpEndpoint } from '../upstream/endpoint.ts'
import type { Affinity } from '../upstream/split.ts'
import { copyEndToEnd, stripHopByHop } from '../proxy/hop-by-hop.ts'
import { observeBody } from '../proxy/streams.ts'
import type { RequestContext } from './context.ts'
import { applyEdits } from './header-edits.ts'
import { transformVars } from './proxy-helpers.ts'
import type { HeaderTransformer, TransformVars } from './transform.ts'

// Statuses whose responses never carry a body (Fetch standard "null body status").
const NULL_BODY = new Set([101, 103, 204, 205, 304])
const DROP_RESPONSE = new Set(['x-request-id'])

export type ResponseFinisher = (ctx: RequestContext, res: Response, vars: TransformVars | undefined, backend: HttpEndpoint) => Response

/**
 * `inPlace`: the forwarder's Responses have mutable headers (Runtime.mutableResponses): the
 * policies edit them and the upstream Response itself is returned when its body needs no
 * change, instead of a copied Headers and a new Response around the same body.
 */
export function createResponseFinisher(
  responseTransform: HeaderTransformer | null,
  affinity: Affinity | null,
  idleMs: number,
  inPlace = false,
): ResponseFinisher {
  return function finishResponse(ctx, res, vars, backend) {
    const { request } = ctx
    let outHeaders: Headers
    if (inPlace) {
      outHeaders = res.headers
      stripHopByHop(outHeaders)
    } else outHeaders = copyEndToEnd(res.headers, DROP_RESPONSE)
    outHeaders.set('x-request-id', ctx.requestId)
    if (ctx.responseHeaders !== null) applyEdits(outHeaders, ctx.responseHeaders)
    const pin = affinity?.cookie(backend, request.headers)
    if (pin) outHeaders.append('set-cookie', pin)
    if (responseTransform !== null) responseTransform(outHeaders, vars ?? transformVars(ctx))
    let outBody: ReadableStream<Uint8Array> | null = res.body
    if (outBody !== null && (NULL_BODY.has(res.status) || request.method === 'HEAD')) {
      outBody.cancel().catch(() => {})
      outBody = null
    }
    // Wrapping costs a JS stream hop per chunk and takes the body off the runtime's native pipe
    // (on Bun it was ~40% of the CPU of a logged route): only when something needs it. A body
    // with Content-Length is logged now, with that length: the record then says when the
    // response started (docs/proxy.md, access log). Only chunked bodies are counted to the end.
    if (outBody !== null && (ctx.logAccess !== null || idleMs > 0)) {
      const status = res.status
      ctx.bodyObserved = true
      const declared = idleMs > 0 ? -1 : declaredLength(outHeaders.get('content-length'))
      if (declared >= 0) ctx.logAccess?.(status, declared)
      else outBody = observeBody(outBody, idleMs, (bytes) => ctx.logAccess?.(status, bytes))
    }
    if (inPlace && outBody === res.body) return res
    return new Response(outBody, { status: res.status, statusText: res.statusText, headers: outHeaders })
  }
}

const DIGITS = /^\d{1,15}$/

/** A Content-Length the runtime's parser accepted; -1 when absent (chunked) or odd. */
function declaredLength(value: string | null): number {
  return value !== null && DIGITS.test(value) ? Number(value) : -1
}
