/**
 * The response phase, once for every answer: upstream answers on the Web path and on Node's
 * direct path, echo, policy answers (CORS preflights) and the gateway's own errors. The head
 * is a `ResponseHead` over whatever holds the fields (a Headers, or RawHeaders over Node's
 * record), so each policy's rule exists once.
 * @module
 */
import type { RequestContext } from '../core/context.ts'
import { applyEdits, type ResponseHead } from '../core/headers.ts'
import type { PolicyName, ResponseHeadHook } from '../core/policy.ts'
import { copyEndToEnd, stripHopByHop } from './hop-by-hop.ts'

// Statuses whose responses never carry a body (Fetch standard "null body status").
const NULL_BODY = new Set([101, 103, 204, 205, 304])
const DROP_RESPONSE = new Set(['x-request-id'])

/**
 * X-Request-ID, the fields request policies left for every response (RateLimit), then each
 * response hook in phase order. `answeredBy`: the policy whose own answer this is (a CORS
 * preflight) does not edit it again.
 */
export function finishHead(ctx: RequestContext, head: ResponseHead, hooks: readonly ResponseHeadHook[], answeredBy?: PolicyName): void {
  head.headers.set('x-request-id', ctx.requestId)
  if (ctx.responseHeaders !== null) applyEdits(head.headers, ctx.responseHeaders)
  for (let i = 0; i < hooks.length; i++) {
    const h = hooks[i]
    if (h.name !== answeredBy) h.run(ctx, head)
  }
}

/**
 * A head's extra step that only its handler knows (the affinity pin cookie for the endpoint that
 * answered): built once per route, called with the endpoint, so a request allocates no closure.
 */
export type HeadExtra<E> = ((ctx: RequestContext, head: ResponseHead, endpoint: E) => void) | null

/**
 * An upstream Response finished for the client. `inPlace`: the runtime's fetch Responses have
 * mutable headers (Runtime.mutableResponses): they are edited and the Response itself returned
 * when its body needs no change, instead of a copied Headers and a new Response.
 */
export function finishUpstreamResponse<E>(
  ctx: RequestContext,
  res: Response,
  hooks: readonly ResponseHeadHook[],
  extra: HeadExtra<E>,
  endpoint: E,
  inPlace: boolean,
): Response {
  let headers: Headers
  if (inPlace) {
    headers = res.headers
    stripHopByHop(headers)
  } else headers = copyEndToEnd(res.headers, DROP_RESPONSE)
  const head = { status: res.status, headers }
  finishHead(ctx, head, hooks)
  extra?.(ctx, head, endpoint)
  let body = res.body
  if (body !== null && (NULL_BODY.has(res.status) || ctx.request.method === 'HEAD')) {
    body.cancel().catch(() => {})
    body = null
  }
  if (inPlace && body === res.body) return res
  return new Response(body, { status: res.status, statusText: res.statusText, headers })
}
