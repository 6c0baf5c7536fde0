/**
 * Deno's fetch forwarder. Deno's fetch decodes gzip and br bodies (no option turns that off)
 * unless the request says `Accept-Encoding: identity`, yet keeps Content-Encoding and
 * Content-Length. A request with no Accept-Encoding is sent with `identity` (else Deno would
 * add its own and make the upstream compress only for Deno to decode); otherwise the stale
 * fields are dropped from a decoded response.
 * @module
 */
import type { Forwarder } from '../../src/core/runtime.ts'
import { dropDecodedEncoding } from '../../src/proxy/decoded-encoding.ts'
import { createDeadlines } from '../../src/proxy/deadlines.ts'
import { createFetchForwarder } from '../../src/proxy/fetch-forwarder.ts'

export function createDenoForwarder(): Forwarder {
  // Header deadlines on one shared tick (src/proxy/deadlines.ts), not a timer per request.
  const base = createFetchForwarder({ deadlines: createDeadlines() })
  return async function denoForward(req, info) {
    const ae = req.headers.get('accept-encoding')
    if (ae === null) req.headers.set('accept-encoding', 'identity')
    const res = await base(req, info)
    return ae === null || ae.trim() === 'identity' ? res : dropDecodedEncoding(res)
  }
}
