/**
 * node:http's 'upgrade' event on the bridge: a WebSocket handshake runs through the gateway like
 * any request (routing, the route's policies), with `RequestInfo.upgrade` set to the byte tunnel
 * (upgrade-tunnel.ts). Whatever the gateway answers instead of switching (a refusal, an upstream's
 * non-101, a route without `websocket`) is written to the raw socket as an HTTP/1.1 response, and
 * the connection is closed: the client asked to leave HTTP, so no second request is read.
 * @module
 */
import { type IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { GatewayError, errorResponse } from '../../../src/core/errors.ts'
import { isSent, type RequestInfo } from '../../../src/core/runtime.ts'
import { absoluteForm, type GatewayHandle } from './listener.ts'
import { NodeRequest } from './request.ts'
import { nodeToWeb } from './streams.ts'
import { createTunnelUpgrade, type TunnelSet } from './upgrade-tunnel.ts'

/** node:http's `shouldUpgradeCallback`: only WebSocket leaves the request path (`h2c` and others stay ordinary requests). */
export function isWebSocketOffer(incoming: IncomingMessage): boolean {
  const upgrade = incoming.headers.upgrade
  return typeof upgrade === 'string' && upgrade.split(',').some((t) => t.trim().toLowerCase() === 'websocket')
}

export function createUpgradeListener(
  handle: () => GatewayHandle,
  tunnels: TunnelSet,
  extra?: (incoming: IncomingMessage) => Pick<RequestInfo, 'clientCert'>,
): (incoming: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const now = () => performance.now()
  return function porticoUpgrade(incoming, socket, head) {
    socket.on('error', () => socket.destroy())
    let target = incoming.url ?? '/'
    if (target.charCodeAt(0) !== 47) {
      const abs = absoluteForm(target)
      if (abs === null) return void writeRaw(errorResponse(new GatewayError(400, 'bad_request', 'request target must be a path or an absolute URL'), crypto.randomUUID()), socket)
      incoming.headers.host = abs.authority
      target = abs.path
    }
    const secure = (socket as { encrypted?: boolean }).encrypted === true
    const url = `${secure ? 'https' : 'http'}://${incoming.headers.host ?? 'localhost'}${target}`
    // No ServerResponse exists on this path: the request's abort signal follows the socket.
    const request = new NodeRequest(incoming, socket as unknown as ServerResponse, url, (i) => nodeToWeb(i, 0, true)) as unknown as Request
    const info: RequestInfo = { remoteAddr: (socket as { remoteAddress?: string }).remoteAddress ?? '', upgrade: createTunnelUpgrade(socket, head, tunnels, now) }
    if (extra !== undefined) Object.assign(info, extra(incoming))
    handle()(request, info).then(
      (answer) => {
        if (!isSent(answer)) return writeRaw(answer, socket)
      },
      (err: unknown) => writeRaw(errorResponse(err, crypto.randomUUID()), socket),
    )
  }
}

/** Framing and connection fields are this writer's: the body is sent as is and the connection closes after it. */
const OWN_FIELDS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'set-cookie'])

/**
 * A Response on a raw socket: the head, then the body as it comes (with backpressure), then the
 * end of the connection — without Content-Length the close delimits the body (RFC 9112 §6.3).
 */
export async function writeRaw(response: Response, socket: Duplex): Promise<void> {
  if (socket.destroyed || !socket.writable) {
    await response.body?.cancel().catch(() => {})
    return void socket.destroy()
  }
  let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n`
  response.headers.forEach((value, name) => {
    if (!OWN_FIELDS.has(name)) head += `${name}: ${value}\r\n`
  })
  for (const cookie of response.headers.getSetCookie()) head += `set-cookie: ${cookie}\r\n`
  const body = response.body
  if (body === null && !response.headers.has('content-length')) head += 'content-length: 0\r\n'
  socket.write(`${head}connection: close\r\n\r\n`)
  if (body !== null) {
    const reader = body.getReader()
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        if (socket.destroyed) throw new Error('client gone')
        if (!socket.write(next.value)) await new Promise<void>((r) => socket.once('drain', r).once('close', r))
      }
    } catch {
      reader.cancel().catch(() => {})
      return void socket.destroy()
    }
  }
  socket.end()
  // A client that does not close after the answer is cut shortly after.
  setTimeout(() => socket.destroy(), 1000).unref?.()
}
