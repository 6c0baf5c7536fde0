/**
 * Bun entry: `bun run adapters/bun/main.ts --config portico.yaml`.
 * Bun's fetch is its fast path, so the portable fetch forwarder is used as is.
 * @module
 */
import { dirname } from 'node:path'
import { adminAddress, parseListenAddress, urlOf } from '../common/listen-address.ts'
import { setupServer } from '../common/server-main.ts'
import { createSignalStop, PARENT_CONTROL_ENV, watchParent } from '../common/shutdown.ts'
import { printReady } from '../common/startup.ts'
import { type ListenerTls, configFileFromArgs, httpsUrl, loadListenersTls } from '../common/tls-config.ts'
import { createDeadlines } from '../../src/proxy/deadlines.ts'
import { createFetchForwarder } from '../../src/proxy/fetch-forwarder.ts'

// Bun decompresses upstream bodies by default but keeps Content-Encoding; a proxy must not.
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

const stops: (() => Promise<unknown>)[] = []
const forces: (() => unknown)[] = []
const listeners: Record<string, string> = {}
for (const [i, l] of config.listeners.entries()) {
  if (l.protocol !== 'http') continue
  const tls = tlsOf[i]
  // The node:http paths are imported only when a listener needs them (node-tls-listener.ts).
  if (tls === null && l.http.read_header_timeout !== undefined) {
    const { serveOnNodeHttp } = await import('../common/node-http-listener.ts')
    const served = await serveOnNodeHttp(l, (req, remoteAddr) => holder.current.handle(req, { remoteAddr }))
    stops.push(served.stop)
    forces.push(served.force)
    listeners[l.id] = served.url
    continue
  }
  // A header deadline needs node:http (Bun.serve has none): over TLS that is the node:tls path too.
  if (tls !== null && (tls.clientAuth !== 'none' || l.http.read_header_timeout !== undefined)) {
    const { serveNodeTls } = await import('./node-tls-listener.ts')
    const { url, stop } = await serveNodeTls(l, tls, holder)
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
process.on('SIGINT', () => void stop('signal'))
process.on('SIGTERM', () => void stop('signal'))
if (process.env[PARENT_CONTROL_ENV] !== undefined) void watchParent(Bun.stdin.stream(), stop)
process.on('SIGHUP', () => reloader.reload('SIGHUP'))
// Last, so a signal sent as soon as the ready line is read finds the handlers installed.
printReady('bun', listeners, admin)
