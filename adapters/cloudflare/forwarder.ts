/**
 * workerd's forwarder. workerd's fetch always decodes gzip/br response bodies, but keeps
 * Content-Encoding; passing that header on with the decoded bytes would make the runtime
 * encode again for a client that may never have asked for it (and locally, Miniflare does
 * exactly that). We send the decoded body without the two stale fields; Cloudflare's edge
 * compresses responses for clients that accept it.
 * @module
 */
import type { Forwarder } from '../../src/core/runtime.ts'
import { createFetchForwarder } from '../../src/proxy/fetch-forwarder.ts'
import { dropDecodedEncoding } from '../../src/proxy/decoded-encoding.ts'

export function createWorkerdForwarder(): Forwarder {
  const base = createFetchForwarder()
  return async function workerdForward(req, info) {
    return dropDecodedEncoding(await base(req, info))
  }
}
