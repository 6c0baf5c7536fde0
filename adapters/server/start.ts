/**
 * The one start-up sequence of the server runtimes (Node, Bun, Deno): validate the config (every
 * problem, as `--validate` prints them), build the runtime and the first gateway version, read
 * every certificate before binding, log the startup summary, set up reload (file watch, SIGHUP
 * and POST /reload), then hand the compiled gateway to the runtime's listener binder. Only the
 * binder and the runtime factory differ per runtime (adapters/<rt>/index.ts).
 * @module
 */
import { dirname, resolve } from 'node:path'
import type { createAdminApp } from '../../src/admin/admin-app.ts'
import type { ParseResult } from '../../src/config/load.ts'
import type { Config } from '../../src/config/types.ts'
import { createGateway } from '../../src/gateway/gateway.ts'
import { createHolder, type GatewayHolder } from '../../src/gateway/holder.ts'
import { createReloader, type Reloader, type ReloadStatus } from '../../src/gateway/reload.ts'
import type { Logger, Runtime, RuntimeName } from '../../src/core/runtime.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { PorticoConfigError, type PorticoConfigInput, parsePorticoConfig } from '../../src/portico.ts'
import { createLogSinks } from './log-sink.ts'
import { gracefulStop, shutdownPlan } from './shutdown.ts'
import { type ListenerTls, loadListenersTls } from './tls-config.ts'
import { logStartup } from './startup.ts'
import { watchConfigFile } from './watch-config.ts'

export { PorticoConfigError }

/** What `serve` takes on every runtime: a config file, or the config itself. */
export interface ServeOptions {
  /** Path of a YAML/JSON config file: re-read by reload(), SIGHUP (CLI) and on save. */
  configFile?: string
  /** YAML/JSON text or a plain object, when there is no file. */
  config?: PorticoConfigInput
  /** Values for `${env:NAME}`; default the process environment. */
  env?: Record<string, string | undefined>
}

export interface RunningServer {
  runtime: RuntimeName
  /** Listener id → URL it is reachable at (`http://127.0.0.1:PORT`, https for TLS listeners). */
  listeners: Record<string, string>
  /** The admin listener's URL, or null when the admin API is off. */
  admin: string | null
  /** Re-reads the config file (or validates `config`), swaps atomically; the old one serves on when invalid. */
  reload(config?: PorticoConfigInput): Promise<ReloadStatus>
  /** Graceful stop: drain_delay, stop accepting, in-flight requests get shutdown.timeout. */
  close(): Promise<void>
}

/** A runtime of a server adapter, with what it must release at stop (upstream pools, tracing). */
export interface ServerRuntime extends Runtime {
  close(): Promise<void>
}

export interface ServerSetup {
  config: Config
  runtime: ServerRuntime
  holder: GatewayHolder
  reloader: Reloader
  /** Per listener index: its certificates, read before any socket is bound; null for plain HTTP. */
  tls: (ListenerTls | null)[]
  adminApp: ReturnType<typeof createAdminApp> | null
}

/** What a runtime's binder returns: the bound addresses and how to stop them. */
export interface BoundListeners {
  listeners: Record<string, string>
  admin: string | null
  stop(): Promise<unknown>
  force(): unknown
}

export interface RuntimeSpec {
  name: RuntimeName
  createRuntime(config: Config, logger: Logger): Promise<ServerRuntime>
  /** How a config file is validated (Bun and Deno: in a short-lived worker, config-in-worker.ts). */
  loadFile(file: string, env: Record<string, string | undefined>): ParseResult | Promise<ParseResult>
  bind(setup: ServerSetup): Promise<BoundListeners>
}

/** The pieces the CLI entries' signal handlers use (shutdown.ts createSignalStop). */
export interface StartedServer extends RunningServer {
  config: Config
  holder: GatewayHolder
  reloader: Reloader
  logger: Logger
  stopListeners(): Promise<unknown>
  forceClose(): unknown
  flush(): Promise<void>
}

export async function startServer(spec: RuntimeSpec, options: ServeOptions, first?: ParseResult): Promise<StartedServer> {
  const env = options.env ?? process.env
  const file = options.configFile === undefined ? undefined : resolve(options.configFile)
  if (file === undefined && options.config === undefined) throw new TypeError('serve: pass configFile or config')
  const label = file ?? 'config'
  let inline = options.config
  const load = (): ParseResult | Promise<ParseResult> =>
    file !== undefined ? spec.loadFile(file, env) : parsePorticoConfig(inline as PorticoConfigInput, label, env)
  const loaded = first ?? (await load())
  if (!loaded.ok) throw new PorticoConfigError(loaded.issues)
  const { config } = loaded
  const sinks = createLogSinks(config.logging.output)
  const logger = createLogger(config.logging.level, sinks.line, sinks.access)
  const runtime = await spec.createRuntime(config, logger)
  const holder = createHolder(createGateway(config, runtime))
  let tls: (ListenerTls | null)[]
  try {
    await holder.current.ready
    tls = loadListenersTls(config.listeners, file === undefined ? process.cwd() : dirname(file))
  } catch (err) {
    holder.current.close()
    await runtime.close()
    throw new PorticoConfigError([], `${label}: ${(err as Error).message}`)
  }
  // The start-up report is written whatever logging.level filters (docs/configuration.md, Logging).
  logStartup(createLogger('info', sinks.line), holder.current, spec.name, loaded.warnings)
  const reloader = createReloader(holder, load, runtime)
  // A saved config file reloads too (debounced); a bad one is rejected and the old one serves on.
  const unwatch = file === undefined ? () => {} : watchConfigFile(file, () => void reloader.reload('file'))
  // Hono and the admin routes load only when the admin API is on.
  const adminApp = config.admin.enabled
    ? (await import('../../src/admin/admin-app.ts')).createAdminApp(holder, { token: config.admin.token, reloader, metrics: runtime.metrics, store: runtime.stores?.shared })
    : null
  let bound: BoundListeners
  try {
    bound = await spec.bind({ config, runtime, holder, reloader, tls, adminApp })
  } catch (err) {
    unwatch()
    holder.current.close()
    await runtime.close()
    throw err
  }
  const flush = () => runtime.close()
  return {
    runtime: spec.name,
    listeners: bound.listeners,
    admin: bound.admin,
    config,
    holder,
    reloader,
    logger,
    stopListeners() {
      unwatch()
      return bound.stop()
    },
    forceClose: () => bound.force(),
    flush,
    async reload(next) {
      if (next !== undefined) {
        if (file !== undefined) throw new TypeError('reload(config): this server reads configFile; change the file and call reload()')
        inline = next
      }
      const status = await reloader.reload('api')
      if (!status.ok) throw new PorticoConfigError([], status.error ?? 'config rejected')
      return status
    },
    async close() {
      unwatch()
      await gracefulStop(holder, shutdownPlan(config), logger, bound.stop, bound.force)
      await flush()
    },
  }
}
