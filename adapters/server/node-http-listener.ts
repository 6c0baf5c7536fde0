/**
 * A plain-HTTP listener on the runtime's node:http layer, for Bun and Deno when a listener sets
 * `read_header_timeout`: Bun.serve and Deno.serve have no header deadline, while their node:http
 * servers enforce `headersTimeout` (checked here: a client trickling its headers gets 408 after
 * the timeout on both). Slower than the native servers, so it is used only when asked for.
 * @module
 */
import { createServer } from 'node:http'
import type { AddressInfo, Server } from 'node:net'
import { getRequestListener, type HttpBindings } from '@hono/node-server'
import type { ListenerConfig } from '../../src/config/types.ts'
import { parseListenAddress, urlOf } from './listen-address.ts'

/**
 * @hono/node-server swaps the global Request/Response for its own light classes unless told not
 * to; the native server of the same runtime on the other listeners accepts only its own.
 */
export const NATIVE_GLOBALS = { overrideGlobalObjects: false }

export type ListenerHandler = (request: Request, remoteAddr: string) => Promise<Response>

/**
 * Node's option set for a listener's http timeouts (also used by the TLS variants), with the
 * meaning of Go's http.Server, whose field names Runway's keys are: `read_timeout` bounds reading
 * the whole request, headers and body (Envoy's request_timeout); `read_header_timeout` bounds the
 * headers and defaults to `read_timeout`. A header deadline is never above the whole-request one:
 * it could never fire, and Node refuses `headersTimeout > requestTimeout` at start.
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
export async function listenAt(server: Server, address: string): Promise<string> {
  const { host, port } = parseListenAddress(address)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const a = server.address() as AddressInfo
  return urlOf(a.address, a.port)
}

export async function serveOnNodeHttp(l: ListenerConfig, handle: ListenerHandler): Promise<{ url: string; stop: () => Promise<void>; force: () => void }> {
  const server = createServer(
    nodeHttpTimeouts(l),
    getRequestListener(
      function porticoNodeHttp(request, env) {
        return handle(request, (env as HttpBindings).incoming.socket.remoteAddress ?? '')
      },
      NATIVE_GLOBALS,
    ),
  )
  const url = await listenAt(server, l.address)
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
    force: () => server.closeAllConnections(),
  }
}
