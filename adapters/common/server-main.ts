/**
 * Shared start-up for the Bun and Deno entries: parse `--config`, validate (printing every
 * problem), compile the gateway. Each entry then only binds sockets its own way; like Node's,
 * their proxy listeners call the gateway directly (it routes itself), Hono serves the admin API.
 * @module
 */
import { parseArgs } from 'node:util'
import type { createAdminApp } from '../../src/admin/admin-app.ts'
import { formatIssues } from '../../src/config/issues.ts'
import type { Config } from '../../src/config/types.ts'
import { createGateway } from '../../src/gateway/gateway.ts'
import { createHolder, type GatewayHolder } from '../../src/gateway/holder.ts'
import { createReloader, type Reloader } from '../../src/gateway/reload.ts'
import type { Forwarder, Runtime, RuntimeName } from '../../src/gateway/types.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { loadConfigInWorker } from './config-in-worker.ts'
import { createLogSinks } from './log-sink.ts'
import { createServerRuntime, type ServerRuntimeOptions } from './server-runtime.ts'
import { watchConfigFile } from './watch-config.ts'
import { defaultConfigPath } from './paths.ts'
import { logStartup } from './startup.ts'

export interface ServerSetup {
  config: Config
  runtime: Runtime
  holder: GatewayHolder
  /** SIGHUP and POST /reload: re-read the config file, swap atomically, keep the old one on error. */
  reloader: Reloader
  adminApp: ReturnType<typeof createAdminApp> | null
}

export async function setupServer(name: RuntimeName, forward: Forwarder, options: ServerRuntimeOptions = {}): Promise<ServerSetup> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, strict: false })
  const file = typeof values.config === 'string' ? values.config : defaultConfigPath
  // Validated in a short-lived worker, at start and on every reload: the validator's modules
  // never load into this heap (config-in-worker.ts has the figures).
  const load = () => loadConfigInWorker(file, process.env)
  const loaded = await load()
  if (!loaded.ok) {
    process.stderr.write(`${formatIssues(loaded.issues)}\n`)
    process.exit(1)
  }
  const { config } = loaded
  const sinks = createLogSinks(config.logging.output)
  const logger = createLogger(config.logging.level, sinks.line, sinks.access)
  const runtime = await createServerRuntime(name, forward, logger, config, options)
  const holder = createHolder(createGateway(config, runtime))
  try {
    await holder.current.ready
  } catch (err) {
    process.stderr.write(`${file}: ${(err as Error).message}\n`)
    process.exit(1)
  }
  logStartup(createLogger('info', sinks.line), holder.current, name, loaded.warnings)
  const reloader = createReloader(holder, load, runtime)
  // A saved config file reloads too (debounced); a bad one is rejected and the old one serves on.
  watchConfigFile(file, () => void reloader.reload('file'))
  // Hono and the admin routes load only when the admin API is on.
  const adminApp = config.admin.enabled
    ? (await import('../../src/admin/admin-app.ts')).createAdminApp(holder, { token: config.admin.token, reloader, metrics: runtime.metrics, store: runtime.stores?.shared })
    : null
  return { config, runtime, adminApp, holder, reloader }
}
