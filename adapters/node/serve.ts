/**
 * Serves a validated config on Node: one @hono/node-server listener per http listener, the
 * admin API on its own (loopback by default) listener, graceful stop on SIGINT/SIGTERM.
 * @module
 */
import type { AddressInfo } from 'node:net'
import { getRequestListener, type HttpBindings } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { createServer, type Server } from 'node:http'
import { createAdminApp } from '../../src/admin/admin-app.ts'
import type { Config } from '../../src/config/types.ts'
import { createGateway } from '../../src/gateway/gateway.ts'
import { createHolder } from '../../src/gateway/holder.ts'
import { createReloader } from '../../src/gateway/reload.ts'
import { loadConfigFile } from '../common/config-file.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { adminAddress, parseListenAddress, urlOf } from '../common/listen-address.ts'
import { createLogSink } from '../common/log-sink.ts'
import { createServerRuntime } from '../common/server-runtime.ts'
import { logStartup, printReady } from '../common/startup.ts'
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
  const logger = createLogger(config.logging.level, createLogSink(config.logging.output))
  const forwarder = createUndiciForwarder()
  const runtime = createServerRuntime('node', forwarder.forward, logger, config)
  const holder = createHolder(createGateway(config, runtime))
  try {
    await holder.current.ready
  } catch (err) {
    process.stderr.write(`${file ?? 'config'}: ${(err as Error).message}\n`)
    process.exit(1)
  }
  logStartup(logger, holder.current, 'node', warnings)
  // SIGHUP and POST /reload re-read the file; a bad config is rejected and the old one keeps serving.
  const reloader = file === undefined ? undefined : createReloader(holder, () => loadConfigFile(file, process.env), runtime)
  const onHup = () => reloader?.reload('SIGHUP')
  if (reloader !== undefined) process.on('SIGHUP', onHup)

  // The main listener calls the gateway directly: the proxy path needs no Hono routing (the
  // gateway has its own router), and skipping Hono's context saves ~7 µs per request here
  // (docs/performance.md). The admin listener is a Hono app.
  const handler = getRequestListener(function porticoNode(request, env) {
    const bindings = env as HttpBindings
    return holder.current.handle(request, {
      remoteAddr: bindings.incoming.socket.remoteAddress ?? '',
      native: bindings,
      alreadySent: RESPONSE_ALREADY_SENT,
    })
  })
  const servers: Server[] = []
  const listeners: Record<string, string> = {}
  for (const l of config.listeners) {
    if (l.protocol !== 'http') continue
    const server = createServer(
      {
        requestTimeout: l.http.read_timeout ?? 0,
        headersTimeout: l.http.read_header_timeout ?? 60_000,
        keepAliveTimeout: l.http.idle_timeout ?? 60_000,
        // Node's parser answers 431 itself beyond this; the core checks the same limit everywhere.
        maxHeaderSize: l.http.max_header_bytes ?? 65_536,
      },
      handler,
    )
    server.on('clientError', answerClientError)
    listeners[l.id] = await listen(server, l.address)
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
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve())
              s.closeIdleConnections()
            }),
        ),
      )
      process.off('SIGHUP', onHup)
      holder.current.close()
      await forwarder.close()
    },
  }
}

export { printReady }
