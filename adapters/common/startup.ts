/**
 * What every server runtime prints at start: the startup summary (routes, inactive
 * features — never silently ignored) and the machine-readable `ready` line that the CLI,
 * the test harness and humans read.
 * @module
 */
import type { Gateway, Logger, RuntimeName } from '../../src/gateway/types.ts'

export function logStartup(logger: Logger, gateway: Gateway, runtime: RuntimeName, warnings: string[] = []): void {
  for (const w of warnings) logger.warn(w)
  logger.info('config loaded', {
    runtime,
    version: gateway.version,
    routes: gateway.routes().map((r) => r.id),
    store: gateway.config.store.type,
  })
  for (const key of gateway.inactive) {
    logger.warn('config key accepted but not active in this version', { key })
  }
}

export function printReady(runtime: RuntimeName, listeners: Record<string, string>, admin: string | null): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'ready', runtime, listeners, admin }))
}
