/**
 * Serves a validated config on Node: one node:http listener per http listener (node:https
 * for `tls.enabled`, with SNI and client certificates), the admin API on its own (loopback by
 * default) listener, graceful stop on SIGINT/SIGTERM.
 * @module
 */
import type { AddressInfo } from 'node:net'
import { createServer as createHttpsServer } from 'node:https'
import { dirname } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { getRequestListener } from '@hono/node-server'
import { createServer, type Server } from 'node:http'
import { createAdminApp } from '../../src/admin/admin-app.ts'
import type { Config } from '../../src/config/types.ts'
import { createGateway } from '../../src/gateway/gateway.ts'
import { createHolder } from '../../src/gateway/holder.ts'
import { createReloader } from '../../src/gateway/reload.ts'
import { loadConfigFile } from '../common/config-file.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { adminAddress, parseListenAddress, urlOf } from '../common/listen-address.ts'
import { createLogSinks } from '../common/log-sink.ts'
import { nodeHttpTimeouts } from '../common/node-http-listener.ts'
import { createServerRuntime } from '../common/server-runtime.ts'
import { gracefulStop, shutdownPlan } from '../common/shutdown.ts'
import { watchConfigFile } from '../common/watch-config.ts'
import { type ClientAuth, type ListenerTls, admitsPeer, clientCertOf, httpsUrl, loadListenersTls, nodeTlsOptions } from '../common/tls-config.ts'
import { logStartup, printReady } from '../common/startup.ts'
import { createNodeListener } from './node-listener.ts'
import { createUndiciForwarder } from './undici-forwarder.ts'

export interface RunningNode {
  listeners: Record<string, string>
  admin: string | null
  close(): Promise<void>
}

function listen(server: Server, address: string): Promise<string> {
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

export async function serveNode(config: Config, warnings: string[] = [], file?: string): Promise<RunningNode> {
  const sinks = createLogSinks(config.logging.output)
  const logger = createLogger(config.logging.level, sinks.line, sinks.access)
  const forwarder = createUndiciForwarder()
  const runtime = await createServerRuntime('node', forwarder.forward, logger, config)
  const holder = createHolder(createGateway(config, runtime))
  try {
    await holder.current.ready
  } catch (err) {
    process.stderr.write(`${file ?? 'config'}: ${(err as Error).message}\n`)
    process.exit(1)
  }
  // Certificates and keys are read once, all of them before any socket is bound.
  let tlsOf: (ListenerTls | null)[] = []
  try {
    tlsOf = loadListenersTls(config.listeners, file === undefined ? process.cwd() : dirname(file))
  } catch (err) {
    process.stderr.write(`${file ?? 'config'}: ${(err as Error).message}\n`)
    process.exit(1)
  }
  logStartup(createLogger('info', sinks.line), holder.current, 'node', warnings)
  // SIGHUP and POST /reload re-read the file; a bad config is rejected and the old one keeps serving.
  const reloader = file === undefined ? undefined : createReloader(holder, () => loadConfigFile(file, process.env), runtime)
  const onHup = () => reloader?.reload('SIGHUP')
  if (reloader !== undefined) process.on('SIGHUP', onHup)
  // A saved config file reloads too (debounced); a bad one is rejected and the old one serves on.
  const unwatch = file === undefined || reloader === undefined ? () => {} : watchConfigFile(file, () => void reloader.reload('file'))

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
  if (config.admin.enabled) {
    const adminApp = createAdminApp(holder, { token: config.admin.token, reloader, metrics: runtime.metrics, store: runtime.stores?.shared })
    const server = createServer(getRequestListener(adminApp.fetch))
    admin = await listen(server, adminAddress(config.admin))
    servers.push(server)
  }
  return {
    listeners,
    admin,
    async close() {
      unwatch()
      process.off('SIGHUP', onHup)
      await gracefulStop(
        holder,
        shutdownPlan(config),
        logger,
        () =>
          Promise.all(
            servers.map(
              (s) =>
                new Promise<void>((resolve) => {
                  s.close(() => resolve())
                  s.closeIdleConnections()
                }),
            ),
          ),
        () => {
          for (const s of servers) s.closeAllConnections()
        },
      )
      await runtime.flushTracing?.()
      await forwarder.close()
    },
  }
}

export { printReady }
