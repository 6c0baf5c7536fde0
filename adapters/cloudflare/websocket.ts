/**
 * WebSocket on Workers: the upstream is fetched with the handshake's fields and its 101 Response
 * is returned unchanged, so the platform relays the two sockets itself (its `webSocket` property
 * is lost on any copy of the Response; shared/reference/protocols.md §1.2). The worker sees no
 * frame and no close: read_timeout, write_timeout, max_lifetime and the per-connection access
 * line at close do not apply here (docs/protocols.md).
 * @module
 */
import { GatewayError } from '../../src/core/errors.ts'
import type { Upgrade } from '../../src/core/runtime.ts'

/** workerd derives Host from the URL and runs its own handshake per hop (Sec-WebSocket-Key, Accept). */
const OWN = new Set(['host', 'sec-websocket-key', 'sec-websocket-accept'])

export const workerdUpgrade: Upgrade = async function workerdUpgrade(req) {
  const headers = req.headers.pairs().filter(([name]) => !OWN.has(name))
  let timer: ReturnType<typeof setTimeout> | undefined
  const late =
    req.handshakeTimeoutMs > 0
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new GatewayError(504, 'upstream_timeout', 'upstream did not answer the WebSocket handshake in time')), req.handshakeTimeoutMs)
        })
      : null
  try {
    const answer = fetch(req.url, { headers }).catch((err: unknown) => {
      throw new GatewayError(502, 'upstream_unreachable', `upstream connection failed: ${(err as Error).message}`)
    })
    return await (late === null ? answer : Promise.race([answer, late]))
  } finally {
    clearTimeout(timer)
  }
}
