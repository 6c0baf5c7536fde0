/**
 * Deno entry: `deno run --unstable-no-legacy-abort --allow-net --allow-read --allow-env --allow-sys adapters/deno/main.ts --config portico.yaml`.
 * @module
 */
import { dirname } from 'node:path'
import { adminAddress, parseListenAddress, urlOf } from '../common/listen-address.ts'
import { setupServer } from '../common/server-main.ts'
import { createSignalStop, PARENT_CONTROL_ENV, watchParent } from '../common/shutdown.ts'
import { printReady } from '../common/startup.ts'
import { type ListenerTls, configFileFromArgs, httpsUrl, loadListenersTls } from '../common/tls-config.ts'
import { createDenoForwarder } from './forwarder.ts'

const forward = createDenoForwarder()

const { config, holder, adminApp, reloader, runtime } = await setupServer('deno', forward)

// Certificates and keys are read once, all of them before any socket is bound.
let tlsOf: (ListenerTls | null)[] = []
try {
  tlsOf = loadListenersTls(config.listeners, dirname(configFileFromArgs()))
} catch (err) {
  console.error(`${configFileFromArgs()}: ${(err as Error).message}`)
  Deno.exit(1)
}

type Handler = (req: Request, env: { remoteAddr: Deno.NetAddr }) => Response | Promise<Response>

function serve(address: string, fetch: Handler, tls?: { cert: string; key: string }): Promise<{ server: Deno.HttpServer; url: string }> {
  const { host, port } = parseListenAddress(address)
  // onListen fires synchronously inside Deno.serve, before `server` is assigned: resolve after.
  let url = ''
  const server = Deno.serve(
    { hostname: host, port, ...tls, onListen: (a) => {
        url = urlOf(a.hostname, a.port)
      },
    },
    (req, info) => fetch(req, { remoteAddr: info.remoteAddr as Deno.NetAddr }),
  )
  return Promise.resolve({ server, url: tls === undefined ? url : httpsUrl(url) })
}

const stops: (() => Promise<unknown>)[] = []
const listeners: Record<string, string> = {}
for (const [i, l] of config.listeners.entries()) {
  if (l.protocol !== 'http') continue
  const tls = tlsOf[i]
  if (tls === null && l.http.read_header_timeout !== undefined) {
    // Deno.serve has no header deadline; its node:http server enforces one. The node:http
    // paths are imported only when a listener needs them (node-tls-listener.ts).
    const { serveOnNodeHttp } = await import('../common/node-http-listener.ts')
    const served = await serveOnNodeHttp(l, (req, remoteAddr) => holder.current.handle(req, { remoteAddr }))
    stops.push(served.stop)
    listeners[l.id] = served.url
    continue
  }
  if (tls !== null && (tls.clientAuth !== 'none' || tls.sni.length > 0 || l.http.read_header_timeout !== undefined)) {
    const { serveNodeTls } = await import('./node-tls-listener.ts')
    const { url, stop } = await serveNodeTls(l, tls, holder)
    stops.push(stop)
    listeners[l.id] = url
    continue
  }
  const handle: Handler = (req, env) => holder.current.handle(req, { remoteAddr: env.remoteAddr.hostname })
  const { server, url } = await serve(l.address, handle, tls === null ? undefined : tls.fallback)
  stops.push(() => server.shutdown())
  listeners[l.id] = url
}
let admin: string | null = null
if (adminApp !== null) {
  const { server, url } = await serve(adminAddress(config.admin), adminApp.fetch as Handler)
  stops.push(() => server.shutdown())
  admin = url
}

const stop = createSignalStop({
  config,
  holder,
  logger: runtime.logger,
  stopListeners: () => Promise.all(stops.map((s) => s())),
  // Deno.serve's shutdown() already waits for in-flight requests; past the timeout we just exit.
  forceClose: () => {},
  flush: runtime.flushTracing,
  exit: (code) => Deno.exit(code),
  unrefTimer: (t) => Deno.unrefTimer(t),
})
Deno.addSignalListener('SIGINT', () => void stop('signal'))
Deno.addSignalListener('SIGTERM', () => void stop('signal'))
if (Deno.env.get(PARENT_CONTROL_ENV) !== undefined) void watchParent(Deno.stdin.readable, stop)
Deno.addSignalListener('SIGHUP', () => reloader.reload('SIGHUP'))
// Last, so a signal sent as soon as the ready line is read finds the handlers installed.
printReady('deno', listeners, admin)
