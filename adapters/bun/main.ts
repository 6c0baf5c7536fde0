/**
 * Bun entry: `bun run adapters/bun/main.ts --config portico.yaml`.
 * Bun's fetch is its fast path, so the portable fetch forwarder is used as is.
 * @module
 */
import { createServer as createHttpServer } from 'node:http'
import { dirname } from 'node:path'
import { type TLSSocket, createServer as createTlsServer } from 'node:tls'
import { getRequestListener, type HttpBindings } from '@hono/node-server'
import type { ListenerConfig } from '../../src/config/types.ts'
import { adminAddress, parseListenAddress, urlOf } from '../common/listen-address.ts'
import { listenAt, nodeHttpTimeouts, serveOnNodeHttp } from '../common/node-http-listener.ts'
import { setupServer } from '../common/server-main.ts'
import { createSignalStop } from '../common/shutdown.ts'
import { printReady } from '../common/startup.ts'
import { type ListenerTls, admitsPeer, clientCertOf, configFileFromArgs, httpsUrl, loadListenersTls, nodeTlsOptions } from '../common/tls-config.ts'
import { createDeadlines } from '../../src/proxy/deadlines.ts'
import { createFetchForwarder } from '../../src/proxy/fetch-forwarder.ts'

// Bun decompresses upstream bodies by default but keeps Content-Encoding; a proxy must not.
// @hono/node-server swaps the global Request/Response for its own light classes unless told
// not to; the native server of this runtime on the other listeners accepts only its own.
const NATIVE_GLOBALS = { overrideGlobalObjects: false }

// Header deadlines on one shared tick (src/proxy/deadlines.ts), not a timer per request.
const forward = createFetchForwarder({ init: { decompress: false }, deadlines: createDeadlines() })

// Bun's fetch Responses have mutable headers: response policies edit them in place (types.ts).
const { config, holder, adminApp, reloader, runtime } = await setupServer('bun', forward, { mutableResponses: true })

// Certificates and keys are read once, all of them before any socket is bound.
let tlsOf: (ListenerTls | null)[] = []
try {
  tlsOf = loadListenersTls(config.listeners, dirname(configFileFromArgs()))
} catch (err) {
  process.stderr.write(`${configFileFromArgs()}: ${(err as Error).message}\n`)
  process.exit(1)
}

/** SNI natively: the fallback first, then one entry per name (Bun matches `*.` wildcards itself). */
function bunTls(tls: ListenerTls): Bun.TLSOptions[] {
  const fallback = { cert: tls.fallback.cert, key: tls.fallback.key }
  return [fallback, ...tls.sni.flatMap((e) => e.names.map((serverName) => ({ serverName, cert: e.cert, key: e.key })))]
}

/**
 * Listeners that ask for a client certificate run on node:tls, because Bun.serve can enforce
 * `require` at the handshake but has no API to read the peer certificate (oven-sh/bun#14097),
 * and Bun's node:https hands the handler a plain Socket without getPeerCertificate (tried on
 * 1.4.5). node:tls gives a TLSSocket that Bun's node:http server accepts as a connection.
 * Slower than Bun.serve: this path is taken only when client_auth is not `none`.
 */
async function serveMtls(l: ListenerConfig, tls: ListenerTls): Promise<{ url: string; stop: () => Promise<void> }> {
  const { clientAuth } = tls
  const http = createHttpServer(
    nodeHttpTimeouts(l),
    getRequestListener(function porticoBunMtls(request, env) {
      const socket = (env as HttpBindings).incoming.socket as TLSSocket
      return holder.current.handle(request, { remoteAddr: socket.remoteAddress ?? '', clientCert: clientCertOf(socket, clientAuth) })
    }, NATIVE_GLOBALS),
  )
  const server = createTlsServer(nodeTlsOptions(tls), function onSecureConnection(socket) {
    if (!admitsPeer(socket, clientAuth)) return void socket.destroy()
    http.emit('connection', socket)
  })
  const url = httpsUrl(await listenAt(server, l.address))
  const stop = () =>
    new Promise<void>((resolve) => {
      http.closeIdleConnections()
      server.close(() => resolve())
    })
  return { url, stop }
}

const stops: (() => Promise<unknown>)[] = []
const forces: (() => unknown)[] = []
const listeners: Record<string, string> = {}
for (const [i, l] of config.listeners.entries()) {
  if (l.protocol !== 'http') continue
  const tls = tlsOf[i]
  if (tls === null && l.http.read_header_timeout !== undefined) {
    const served = await serveOnNodeHttp(l, (req, remoteAddr) => holder.current.handle(req, { remoteAddr }))
    stops.push(served.stop)
    forces.push(served.force)
    listeners[l.id] = served.url
    continue
  }
  // A header deadline needs node:http (Bun.serve has none): over TLS that is the node:tls path too.
  if (tls !== null && (tls.clientAuth !== 'none' || l.http.read_header_timeout !== undefined)) {
    const { url, stop } = await serveMtls(l, tls)
    stops.push(stop)
    listeners[l.id] = url
    continue
  }
  const { host, port } = parseListenAddress(l.address)
  // idleTimeout 0 disables Bun's 10 s default, which would cut long SSE streams.
  const idle = l.http.idle_timeout ? Math.min(255, Math.ceil(l.http.idle_timeout / 1000)) : 0
  // The proxy path calls the gateway directly (it has its own router); Hono serves the admin API.
  const server = Bun.serve({
    hostname: host,
    port,
    idleTimeout: idle,
    tls: tls === null ? undefined : bunTls(tls),
    fetch: (req, srv) => holder.current.handle(req, { remoteAddr: srv.requestIP(req)?.address ?? '' }),
  })
  stops.push(() => server.stop())
  forces.push(() => server.stop(true))
  const url = urlOf(server.hostname ?? host, server.port ?? port)
  listeners[l.id] = tls === null ? url : httpsUrl(url)
}
let admin: string | null = null
if (adminApp !== null) {
  const { host, port } = parseListenAddress(adminAddress(config.admin))
  const server = Bun.serve({ hostname: host, port, fetch: adminApp.fetch })
  stops.push(() => server.stop())
  admin = urlOf(server.hostname ?? host, server.port ?? port)
}

const stop = createSignalStop({
  config,
  holder,
  logger: runtime.logger,
  stopListeners: () => Promise.all(stops.map((s) => s())),
  forceClose: () => Promise.all(forces.map((f) => f())),
  flush: runtime.flushTracing,
  exit: (code) => process.exit(code),
  unrefTimer: (t) => void t.unref(),
})
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
process.on('SIGHUP', () => reloader.reload('SIGHUP'))
// Last, so a signal sent as soon as the ready line is read finds the handlers installed.
printReady('bun', listeners, admin)
