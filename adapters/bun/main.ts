/**
 * Bun entry: `bun run adapters/bun/main.ts --config portico.yaml`.
 * Bun's fetch is its fast path, so the portable fetch forwarder is used as is.
 * @module
 */
import { adminAddress, parseListenAddress, urlOf } from '../common/listen-address.ts'
import { setupServer } from '../common/server-main.ts'
import { printReady } from '../common/startup.ts'
import { createFetchForwarder } from '../../src/proxy/fetch-forwarder.ts'

// Bun decompresses upstream bodies by default but keeps Content-Encoding; a proxy must not.
const forward = createFetchForwarder({ init: { decompress: false } })

const { config, holder, adminApp, reloader } = await setupServer('bun', forward)

const servers: Bun.Server<undefined>[] = []
const listeners: Record<string, string> = {}
for (const l of config.listeners) {
  if (l.protocol !== 'http') continue
  const { host, port } = parseListenAddress(l.address)
  // idleTimeout 0 disables Bun's 10 s default, which would cut long SSE streams.
  const idle = l.http.idle_timeout ? Math.min(255, Math.ceil(l.http.idle_timeout / 1000)) : 0
  // The proxy path calls the gateway directly (it has its own router); Hono serves the admin API.
  const server = Bun.serve({
    hostname: host,
    port,
    idleTimeout: idle,
    fetch: (req, srv) => holder.current.handle(req, { remoteAddr: srv.requestIP(req)?.address ?? '' }),
  })
  servers.push(server)
  listeners[l.id] = urlOf(server.hostname ?? host, server.port ?? port)
}
let admin: string | null = null
if (adminApp !== null) {
  const { host, port } = parseListenAddress(adminAddress(config.admin))
  const server = Bun.serve({ hostname: host, port, fetch: adminApp.fetch })
  servers.push(server)
  admin = urlOf(server.hostname ?? host, server.port ?? port)
}

async function stop(): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()))
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
process.on('SIGHUP', () => reloader.reload('SIGHUP'))
// Last, so a signal sent as soon as the ready line is read finds the handlers installed.
printReady('bun', listeners, admin)
