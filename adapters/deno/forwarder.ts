/**
 * Deno's fetch forwarder. Deno's fetch always decodes gzip and br bodies (there is no
 * option to turn that off) yet keeps Content-Encoding and Content-Length, which would make
 * the proxied response corrupt; we drop those two fields when Deno has decoded the body.
 * A request with no Accept-Encoding is sent with `identity`, else Deno would add its own
 * and make the upstream compress only for Deno to decompress again.
 * @module
 */
import type { Forwarder } from '../../src/gateway/types.ts'
import { createFetchForwarder } from '../../src/proxy/fetch-forwarder.ts'

const DECODED_BY_DENO = new Set(['gzip', 'x-gzip', 'br'])

export function createDenoForwarder(): Forwarder {
  const base = createFetchForwarder()
  return async function denoForward(req, info) {
    if (!req.headers.has('accept-encoding')) req.headers.set('accept-encoding', 'identity')
    const res = await base(req, info)
    const encoding = res.headers.get('content-encoding')
    if (encoding === null || !DECODED_BY_DENO.has(encoding.trim().toLowerCase())) return res
    if (req.headers.get('accept-encoding') === 'identity') return res
    const headers = new Headers(res.headers)
    headers.delete('content-encoding')
    headers.delete('content-length')
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers })
  }
}
