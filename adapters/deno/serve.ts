/**
 * Binds a compiled gateway on Deno (start.ts runs the start-up before): Deno.serve per listener,
 * node:http(s) where Deno.serve lacks what the listener asks for (a header deadline, SNI, client
 * certificates), the admin API on its own listener.
 * @module
 */
import { adminAddress, parseListenAddress, urlOf } from '../server/listen-address.ts'
import { loadConfigInWorker } from '../server/config-in-worker.ts'
import { usesWebSocket } from '../../src/handlers/websocket-upgrade.ts'
import { bindAll, serveOnNodeHttp } from '../server/listener-set.ts'
import { createServerRuntime } from '../server/server-runtime.ts'
import type { BoundListeners, RuntimeSpec, ServerRuntime, ServerSetup } from '../server/start.ts'
import { httpsUrl } from '../server/tls-config.ts'
import type { Config } from '../../src/config/types.ts'
import type { Logger } from '../../src/core/runtime.ts'
import { createDenoForwarder } from './forwarder.ts'

/** Deno's Runtime: fetch with Deno's decoding handled (forwarder.ts). */
export async function createDenoRuntime(config: Config, logger: Logger): Promise<ServerRuntime> {
  const runtime = await createServerRuntime('deno', createDenoForwarder(), logger, config)
  return { ...runtime, close: async () => runtime.flushTracing?.() }
}

type Handler = (req: Request, env: { remoteAddr: Deno.NetAddr }) => Response | Promise<Response>

function denoServe(address: string, fetch: Handler, tls?: { cert: string; key: string }): { server: Deno.HttpServer; url: string } {
  const { host, port } = parseListenAddress(address)
  // onListen fires synchronously inside Deno.serve, before `server` is assigned.
  let url = ''
  const server = Deno.serve(
    {
      hostname: host,
      port,
      ...tls,
      onListen: (a) => {
        url = urlOf(a.hostname, a.port)
      },
    },
    (req, info) => fetch(req, { remoteAddr: info.remoteAddr as Deno.NetAddr }),
  )
  return { server, url: tls === undefined ? url : httpsUrl(url) }
}

export async function bindDeno({ config, holder, tls: tlsOf, adminApp }: ServerSetup): Promise<BoundListeners> {
  const webSocket = usesWebSocket(config)
  return bindAll(async (set) => {
    for (const [i, l] of config.listeners.entries()) {
      if (l.protocol !== 'http') continue
      const tls = tlsOf[i]
      // node:http(s) where Deno.serve lacks it: a header deadline, SNI, client certificates, or a
      // WebSocket byte tunnel (Deno.serve can only terminate and relay: docs/protocols.md).
      if (webSocket || l.http.read_header_timeout !== undefined || (tls !== null && (tls.clientAuth !== 'none' || tls.sni.length > 0))) {
        set.add(l.id, await serveOnNodeHttp(l, tls, holder, 'https'))
        continue
      }
      const handle: Handler = (req, env) => holder.current.fetch(req, { remoteAddr: env.remoteAddr.hostname })
      const { server, url } = denoServe(l.address, handle, tls === null ? undefined : tls.fallback)
      // Deno.serve's shutdown() already waits for in-flight requests; only node:http needs forcing.
      set.add(l.id, { url, stop: () => server.shutdown() })
    }
    if (adminApp !== null) {
      const { server, url } = denoServe(adminAddress(config.admin), adminApp.fetch as Handler)
      set.add(null, { url, stop: () => server.shutdown() })
    }
  })
}

export const denoSpec: RuntimeSpec = {
  name: 'deno',
  createRuntime: createDenoRuntime,
  // Validated in a short-lived worker, at start and on every reload (config-in-worker.ts).
  loadFile: loadConfigInWorker,
  bind: bindDeno,
}
