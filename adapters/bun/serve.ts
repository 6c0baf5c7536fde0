/**
 * Binds a compiled gateway on Bun (start.ts runs the start-up before): Bun.serve per listener,
 * node:http where Bun.serve lacks what the listener asks for (a header deadline, client
 * certificates), the admin API on its own listener.
 * @module
 */
import { adminAddress, parseListenAddress, urlOf } from '../server/listen-address.ts'
import { loadConfigInWorker } from '../server/config-in-worker.ts'
import { usesWebSocket } from '../../src/handlers/websocket-upgrade.ts'
import { bindAll, serveOnNodeHttp } from '../server/listener-set.ts'
import { createServerRuntime } from '../server/server-runtime.ts'
import type { BoundListeners, RuntimeSpec, ServerRuntime, ServerSetup } from '../server/start.ts'
import { type ListenerTls, httpsUrl } from '../server/tls-config.ts'
import type { Config } from '../../src/config/types.ts'
import type { Logger } from '../../src/core/runtime.ts'
import { createDeadlines } from '../../src/proxy/deadlines.ts'
import { createFetchForwarder } from '../../src/proxy/fetch-forwarder.ts'

/** Bun's Runtime: the portable fetch forwarder (Bun's fetch is its fast path). */
export async function createBunRuntime(config: Config, logger: Logger): Promise<ServerRuntime> {
  // Bun decompresses upstream bodies by default but keeps Content-Encoding; a proxy must not.
  // Header deadlines on one shared tick (src/proxy/deadlines.ts), not a timer per request.
  const forward = createFetchForwarder({ init: { decompress: false }, deadlines: createDeadlines() })
  // Bun's fetch Responses have mutable headers: response policies edit them in place (types.ts).
  const runtime = await createServerRuntime('bun', forward, logger, config, { mutableResponses: true })
  return { ...runtime, close: async () => runtime.flushTracing?.() }
}

/** SNI natively: the fallback first, then one entry per name (Bun matches `*.` wildcards itself). */
function bunTls(tls: ListenerTls): Bun.TLSOptions[] {
  const fallback = { cert: tls.fallback.cert, key: tls.fallback.key }
  return [fallback, ...tls.sni.flatMap((e) => e.names.map((serverName) => ({ serverName, cert: e.cert, key: e.key })))]
}

export async function bindBun({ config, holder, tls: tlsOf, adminApp }: ServerSetup): Promise<BoundListeners> {
  const webSocket = usesWebSocket(config)
  return bindAll(async (set) => {
    for (const [i, l] of config.listeners.entries()) {
      if (l.protocol !== 'http') continue
      const tls = tlsOf[i]
      // node:http where Bun.serve lacks it: a header deadline, reading the client certificate, or a
      // WebSocket byte tunnel (Bun.serve can only terminate and relay: docs/protocols.md).
      if (webSocket || l.http.read_header_timeout !== undefined || (tls !== null && tls.clientAuth !== 'none')) {
        set.add(l.id, await serveOnNodeHttp(l, tls, holder, 'tls-socket'))
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
        fetch: (req, srv) => holder.current.fetch(req, { remoteAddr: srv.requestIP(req)?.address ?? '' }),
      })
      const url = urlOf(server.hostname ?? host, server.port ?? port)
      set.add(l.id, { url: tls === null ? url : httpsUrl(url), stop: () => server.stop(), force: () => server.stop(true) })
    }
    if (adminApp !== null) {
      const { host, port } = parseListenAddress(adminAddress(config.admin))
      const server = Bun.serve({ hostname: host, port, fetch: adminApp.fetch })
      set.add(null, { url: urlOf(server.hostname ?? host, server.port ?? port), stop: () => server.stop(), force: () => server.stop(true) })
    }
  })
}

export const bunSpec: RuntimeSpec = {
  name: 'bun',
  createRuntime: createBunRuntime,
  // Validated in a short-lived worker, at start and on every reload (config-in-worker.ts).
  loadFile: loadConfigInWorker,
  bind: bindBun,
}
