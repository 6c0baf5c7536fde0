/**
 * The one node:http server of the proxy listeners: every Node listener, and the Bun and Deno
 * listeners that need what their native servers lack (a header deadline; on Bun client
 * certificates; on Deno SNI and client certificates). Requests go through the same bridge
 * (listener.ts) on every runtime, so a node:http-level feature (the WebSocket upgrade path
 * included) is written once.
 * @module
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Server as NetServer } from 'node:net'
import type { Duplex } from 'node:stream'
import { type TLSSocket, createServer as createTlsServer } from 'node:tls'
import type { ListenerConfig } from '../../../src/config/types.ts'
import { parseListenAddress, urlOf } from '../listen-address.ts'
import { type ListenerTls, admitsPeer, clientCertOf, httpsUrl, nodeTlsOptions } from '../tls-config.ts'
import { createNodeListener, type GatewayHandle } from './listener.ts'
import { createUpgradeListener, isWebSocketOffer } from './upgrade.ts'
import type { TunnelSet } from './upgrade-tunnel.ts'

/**
 * How TLS reaches node:http. `https`: node:https (Node, Deno: Deno's node:https has the
 * SNICallback and TLSSocket.getPeerCertificate that Deno.serve lacks, denoland/deno#23233,
 * #26825). `tls-socket`: a node:tls server handing each TLSSocket to a node:http server, for Bun,
 * whose node:https gives the handler a plain Socket without getPeerCertificate (Bun 1.4.5) and
 * whose Bun.serve cannot read the peer certificate at all (oven-sh/bun#14097).
 */
export type TlsVia = 'https' | 'tls-socket'

/**
 * Node's option set for a listener's http timeouts, with the meaning of Go's http.Server, whose
 * field names Runway's keys are: `read_timeout` bounds reading the whole request, headers and
 * body (Envoy's request_timeout); `read_header_timeout` bounds the headers and defaults to
 * `read_timeout`. A header deadline is never above the whole-request one: it could never fire,
 * and Node refuses `headersTimeout > requestTimeout` at start.
 */
export function nodeHttpTimeouts(l: ListenerConfig) {
  // 0 disables Node's whole-request bound (its own default is 300 s, which would cut long uploads).
  const request = l.http.read_timeout ?? 0
  const wanted = l.http.read_header_timeout ?? (request > 0 ? request : 60_000)
  const header = request > 0 ? Math.min(wanted, request) : wanted
  return {
    keepAliveTimeout: l.http.idle_timeout ?? 60_000,
    headersTimeout: header,
    requestTimeout: request,
    // Timeouts are only checked every connectionsCheckingInterval (30 s by default), which would
    // let a slow client hold a socket far longer than configured; `header` is the shorter bound.
    connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(header / 4))),
  }
}

/** Binds a node:net-style server to a listener address; resolves with its http:// URL. */
export async function listenAt(server: NetServer, address: string): Promise<string> {
  const { host, port } = parseListenAddress(address)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const a = server.address() as AddressInfo
  return urlOf(a.address, a.port)
}

/**
 * Requests node:http's parser refuses never reach the gateway: answer them with the gateway's
 * JSON error shape (431 for oversized headers, 408 for a header timeout, else 400) instead of a
 * bare status line, then close — the connection's framing can no longer be trusted.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) return void socket.destroy()
  const [status, code, reason, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'header_fields_too_large', 'Request Header Fields Too Large', 'header fields too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'Request Timeout', 'request headers not received in time']
        : [400, 'bad_request', 'Bad Request', 'malformed HTTP request']
  const requestId = crypto.randomUUID()
  const body = JSON.stringify({ error: { status, code, message, request_id: requestId } })
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  )
}

type NodeHandler = (incoming: IncomingMessage, outgoing: ServerResponse) => void

function requestListener(tls: ListenerTls | null, handle: () => GatewayHandle): NodeHandler {
  if (tls === null || tls.clientAuth === 'none') return createNodeListener(handle)
  const { clientAuth } = tls
  return createNodeListener(handle, (incoming) => ({ clientCert: clientCertOf(incoming.socket as TLSSocket, clientAuth) }))
}

/**
 * The servers of one listener: `listening` is bound to the address, `http` parses requests (the
 * same server, except for `tls-socket`).
 */
function createServers(l: ListenerConfig, tls: ListenerTls | null, handler: NodeHandler, via: TlsVia): { listening: NetServer; http: Server } {
  const options = {
    ...nodeHttpTimeouts(l),
    // The parser answers 431 itself beyond this; the core checks the same limit everywhere.
    maxHeaderSize: l.http.max_header_bytes ?? 65_536,
    // Only WebSocket reaches 'upgrade' (nodejs/node#59824): `Upgrade: h2c` stays an ordinary request.
    shouldUpgradeCallback: isWebSocketOffer,
  }
  if (tls === null) {
    const http = createHttpServer(options, handler)
    return { listening: http, http }
  }
  const { clientAuth } = tls
  if (via === 'tls-socket') {
    const http = createHttpServer(options, handler)
    const listening = createTlsServer(nodeTlsOptions(tls), function onSecureConnection(socket) {
      if (!admitsPeer(socket, clientAuth)) return void socket.destroy()
      http.emit('connection', socket)
    })
    return { listening, http }
  }
  const https = createHttpsServer({ ...options, ...nodeTlsOptions(tls) }, handler)
  if (clientAuth === 'verify') {
    // Prepended: node:http may parse a request that arrived with the handshake as soon as its
    // own listener runs, so the connection is refused before that.
    https.prependListener('secureConnection', (socket: TLSSocket) => {
      if (!admitsPeer(socket, clientAuth)) socket.destroy()
    })
  }
  return { listening: https, http: https }
}

/** A bound listener (listener-set.ts takes it as a BoundListener). */
export interface NodeHttpListener {
  url: string
  stop(): Promise<void>
  force(): void
}

/** One proxy listener on node:http(s); `handle` is read per request (reload swaps the gateway). */
export async function serveNodeHttp(l: ListenerConfig, tls: ListenerTls | null, handle: () => GatewayHandle, via: TlsVia = 'https'): Promise<NodeHttpListener> {
  const { listening, http } = createServers(l, tls, requestListener(tls, handle), via)
  http.on('clientError', answerClientError)
  // Upgraded connections leave node:http's bookkeeping: the listener tracks them for shutdown.
  const tunnels: TunnelSet = new Set()
  const certOf = tls === null || tls.clientAuth === 'none' ? undefined : (i: IncomingMessage) => ({ clientCert: clientCertOf(i.socket as TLSSocket, tls.clientAuth) })
  http.on('upgrade', createUpgradeListener(handle, tunnels, certOf))
  const url = await listenAt(listening, l.address)
  return {
    url: tls === null ? url : httpsUrl(url),
    stop: () =>
      new Promise<void>((resolve) => {
        listening.close(() => resolve())
        http.closeIdleConnections()
      }),
    force: () => {
      http.closeAllConnections()
      for (const t of tunnels) t.cut('shutdown')
    },
  }
}
