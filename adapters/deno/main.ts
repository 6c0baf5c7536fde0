/**
 * Deno entry: `deno run --unstable-no-legacy-abort --allow-net --allow-read --allow-env --allow-sys adapters/deno/main.ts --config portico.yaml`.
 * @module
 */
import { adminAddress, parseListenAddress, urlOf } from '../common/listen-address.ts'
import { setupServer } from '../common/server-main.ts'
import { printReady } from '../common/startup.ts'
import { createDenoForwarder } from './forwarder.ts'

const forward = createDenoForwarder()

const { config, holder, adminApp, reloader } = await setupServer('deno', forward)

type Handler = (req: Request, env: { remoteAddr: Deno.NetAddr }) => Response | Promise<Response>

function serve(address: string, fetch: Handler): Promise<{ server: Deno.HttpServer; url: string }> {
  const { host, port } = parseListenAddress(address)
  // onListen fires synchronously inside Deno.serve, before `server` is assigned: resolve after.
  let url = ''
  const server = Deno.serve(
    { hostname: host, port, onListen: (a) => {
        url = urlOf(a.hostname, a.port)
      },
    },
    (req, info) => fetch(req, { remoteAddr: info.remoteAddr as Deno.NetAddr }),
  )
  return Promise.resolve({ server, url })
}

const servers: Deno.HttpServer[] = []
const listeners: Record<string, string> = {}
for (const l of config.listeners) {
  if (l.protocol !== 'http') continue
  const { server, url } = await serve(l.address, (req, env) => holder.current.handle(req, { remoteAddr: env.remoteAddr.hostname }))
  servers.push(server)
  listeners[l.id] = url
}
let admin: string | null = null
if (adminApp !== null) {
  const { server, url } = await serve(adminAddress(config.admin), adminApp.fetch as Handler)
  servers.push(server)
  admin = url
}

async function stop(): Promise<void> {
  await Promise.all(servers.map((s) => s.shutdown()))
  Deno.exit(0)
}
Deno.addSignalListener('SIGINT', stop)
Deno.addSignalListener('SIGTERM', stop)
Deno.addSignalListener('SIGHUP', () => reloader.reload('SIGHUP'))
// Last, so a signal sent as soon as the ready line is read finds the handlers installed.
printReady('deno', listeners, admin)
