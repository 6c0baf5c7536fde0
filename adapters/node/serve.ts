/**
 * Binds a compiled gateway on Node (start.ts runs the start-up before): one node:http listener
 * per http listener (node:https for `tls.enabled`, with SNI and client certificates), the admin
 * API on its own (loopback by default) listener.
 * @module
 */
import { getRequestListener } from '@hono/node-server'
import { createServer } from 'node:http'
import type { Config } from '../../src/config/types.ts'
import { loadConfigFile } from '../server/config-file.ts'
import { adminAddress } from '../server/listen-address.ts'
import { bindAll } from '../server/listener-set.ts'
import { listenAt, serveNodeHttp } from '../server/node-http/server.ts'
import { type BoundListeners, PorticoConfigError, type RunningServer, type ServerSetup, startServer } from '../server/start.ts'
import { printReady } from '../server/startup.ts'
import { createNodeRuntime } from './runtime.ts'

/** The CLI's serve: the config is already validated (its warnings printed with it). */
export type RunningNode = RunningServer

export async function bindNode({ config, holder, tls: tlsOf, adminApp }: ServerSetup): Promise<BoundListeners> {
  return bindAll(async (set) => {
    // The proxy listeners call the gateway directly with a NodeRequest (node-http/listener.ts):
    // no Hono routing (the gateway has its own router) and no WHATWG Request unless a policy
    // needs one (docs/performance.md). The admin listener is a Hono app.
    for (const [i, l] of config.listeners.entries()) {
      if (l.protocol !== 'http') continue
      set.add(l.id, await serveNodeHttp(l, tlsOf[i], () => holder.current.handle))
    }
    if (adminApp !== null) {
      const server = createServer(getRequestListener(adminApp.fetch))
      const url = await listenAt(server, adminAddress(config.admin))
      set.add(null, {
        url,
        stop: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeIdleConnections()
          }),
        force: () => server.closeAllConnections(),
      })
    }
  })
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
