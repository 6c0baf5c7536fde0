/**
 * The upstream request of one client request, built once for all its tries: the fields in
 * one pass over the client's (hop-by-hop and gateway-owned names dropped, X-Forwarded-*,
 * X-Request-ID, policy edits, host override, the route's upstream-request hooks), and the
 * body decision of `max_body_size`.
 * @module
 */
import type { RequestContext } from '../core/context.ts'
import type { HeaderList } from '../core/headers.ts'
import type { UpstreamRequestHook } from '../core/policy.ts'
import type { UpstreamRequest } from '../core/runtime.ts'
import { CLIENT_CERT_FINGERPRINT_HEADER, CLIENT_CERT_SUBJECT_HEADER } from './client-cert.ts'
import { setForwardedHeaders } from './forwarded.ts'
import { copyEndToEndList } from './hop-by-hop.ts'
import { bodyTooLarge, limitBody, readBounded } from './streams.ts'

// Set by us after the copy; `host` is derived from the backend URL by the forwarder.
// The client-certificate fields are ours alone (client-cert.ts): a client's copies never pass.
const DROP_REQUEST = new Set(['host', 'x-request-id', 'x-forwarded-for', 'via', CLIENT_CERT_SUBJECT_HEADER, CLIENT_CERT_FINGERPRINT_HEADER])

export function buildUpstreamHeaders(ctx: RequestContext, hostOverride: string | null, hooks: readonly UpstreamRequestHook[]): HeaderList {
  const { request } = ctx
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
  for (let i = 0; i < hooks.length; i++) hooks[i].run(ctx, headers)
  return headers
}

/**
 * `undefined` = the client's body as received (the forwarder streams it from its source);
 * with `max_body_size`, a declared length above it is refused at once, a chunked body is read
 * up to the limit, and a client sending more than it declared is cut off.
 */
export async function upstreamBody(ctx: RequestContext, headers: HeaderList, limit: number): Promise<UpstreamRequest['body']> {
  const { request } = ctx
  if (request.method === 'GET' || request.method === 'HEAD') return null
  if (limit <= 0 || request.body === null) return undefined
  const declared = request.headers.get('content-length')
  if (declared === null) {
    const body = await readBounded(request.body, limit)
    headers.set('content-length', String(body.byteLength))
    return body
  }
  if (Number(declared) > limit) throw bodyTooLarge(limit)
  return limitBody(request.body, limit)
}
