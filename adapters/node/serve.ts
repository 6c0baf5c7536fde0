/**
 * Binds a compiled gateway on Node (start.ts runs the start-up before): one node:http listener
 * per http listener (node:https for `tls.enabled`, with SNI and client certificates), the admin
 * API on its own (loopback by default) listener.
 * @module
 */
import type { AddressInfo } from 'node:net'
import { createServer as createHttpsServer } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { getRequestListener } from '@hono/node-server'
import { createServer, type Server } from 'node:http'
import type { Config } from '../../src/config/types.ts'
import { loadConfigFile } from '../server/config-file.ts'
import { adminAddress, parseListenAddress, urlOf } from '../server/listen-address.ts'
import { type BoundListeners, PorticoConfigError, type RunningServer, type ServerSetup, startServer } from '../server/start.ts'
import { type ClientAuth, admitsPeer, clientCertOf, httpsUrl, nodeTlsOptions } from '../server/tls-config.ts'
import { printReady } from '../server/startup.ts'
import { nodeHttpTimeouts } from '../server/node-http-listener.ts'
import { createNodeListener } from './node-listener.ts'
import { createNodeRuntime } from './runtime.ts'

/** The CLI's serve: the config is already validated (its warnings printed with it). */
export type RunningNode = RunningServer

function listenOn(server: Server, address: string): Promise<string> {
  const { host, port } = parseListenAddress(address)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo
      resolve(urlOf(a.address, a.port))
    })
  })
}

/**
 * Requests Node's parser refuses never reach the gateway: answer them with the same JSON error
 * shape (431 for oversized headers, 408 for a header timeout, else 400) instead of Node's bare
 * status line, then close — the connection's framing can no longer be trusted.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
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

export async function bindNode({ config, holder, tls: tlsOf, adminApp }: ServerSetup): Promise<BoundListeners> {
  // The proxy listeners call the gateway directly with a NodeRequest (node-listener.ts): no
  // Hono routing (the gateway has its own router) and no WHATWG Request unless a policy needs
  // one (docs/performance.md). The admin listener is a Hono app.
  const current = () => holder.current.handle
  const handler = createNodeListener(current)
  // TLS listeners that ask for a client certificate pass it on; all others share `handler`.
  const mtlsHandler = (clientAuth: ClientAuth) =>
    createNodeListener(current, (incoming) => ({ clientCert: clientCertOf(incoming.socket as TLSSocket, clientAuth) }))
  const servers: Server[] = []
  const listeners: Record<string, string> = {}
  // A listener that cannot bind (address in use) must not leave the ones before it open.
  const listen = (server: Server, address: string) =>
    listenOn(server, address).catch((err: unknown) => {
      for (const s of servers) s.close()
      throw err
    })
  for (const [i, l] of config.listeners.entries()) {
    if (l.protocol !== 'http') continue
    const options = {
      ...nodeHttpTimeouts(l),
      // Node's parser answers 431 itself beyond this; the core checks the same limit everywhere.
      maxHeaderSize: l.http.max_header_bytes ?? 65_536,
    }
    const tls = tlsOf[i]
    let server: Server
    if (tls === null) {
      server = createServer(options, handler)
    } else {
      const { clientAuth } = tls
      server = createHttpsServer({ ...options, ...nodeTlsOptions(tls) }, clientAuth === 'none' ? handler : mtlsHandler(clientAuth))
      if (clientAuth === 'verify') {
        // Prepended: node:http may parse a request that arrived with the handshake as soon as
        // its own listener runs, so the connection is refused before that.
        server.prependListener('secureConnection', (socket: TLSSocket) => {
          if (!admitsPeer(socket, clientAuth)) socket.destroy()
        })
      }
    }
    server.on('clientError', answerClientError)
    const url = await listen(server, l.address)
    listeners[l.id] = tls === null ? url : httpsUrl(url)
    servers.push(server)
  }
  let admin: string | null = null
  if (adminApp !== null) {
    const server = createServer(getRequestListener(adminApp.fetch))
    admin = await listen(server, adminAddress(config.admin))
    servers.push(server)
  }
  return {
    listeners,
    admin,
    stop: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve())
              s.closeIdleConnections()
            }),
        ),
      ),
    force: () => {
      for (const s of servers) s.closeAllConnections()
    },
  }
}

export const nodeSpec = {
  name: 'node' as const,
  createRuntime: createNodeRuntime,
  // Node validates in process: its resident memory is within its goal (config-in-worker.ts).
  loadFile: loadConfigFile,
  bind: bindNode,
}

/** The CLI's entry: the config was validated there; a start-up problem ends the process. */
export async function serveNode(config: Config, warnings: string[] = [], file?: string): Promise<RunningNode> {
  try {
    const started = await startServer(nodeSpec, { configFile: file, config: file === undefined ? (config as never) : undefined }, { ok: true, config, warnings })
    // SIGHUP re-reads the file; a bad config is rejected (logged) and the old one keeps serving.
    const onHup = () => void started.reloader.reload('SIGHUP')
    process.on('SIGHUP', onHup)
    const close = () => {
      process.off('SIGHUP', onHup)
      return started.close()
    }
    return { ...started, close }
  } catch (err) {
    if (!(err instanceof PorticoConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  }
}

export { printReady }
