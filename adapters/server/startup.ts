/**
 * What every server runtime prints at start: the startup summary (routes, inactive
 * features — never silently ignored) and the machine-readable `ready` line that the CLI,
 * the test harness and humans read.
 * @module
 */
import type { Logger, RuntimeName } from '../../src/core/runtime.ts'
import type { Gateway } from '../../src/gateway/types.ts'

/**
 * `logger` is the start-up report's own, at info level on the operational sink: what a config
 * turns on, and what it asks for that is not active, is shown whatever `logging.level` filters
 * out later (docs/configuration.md#logging).
 */
export function logStartup(logger: Logger, gateway: Gateway, runtime: RuntimeName, warnings: string[] = []): void {
  for (const w of warnings) logger.warn(w)
  const c = gateway.config
  const auth = Object.entries(c.authentication ?? {})
    .filter(([, m]) => (m as { enabled?: boolean } | undefined)?.enabled !== false)
    .map(([name]) => name)
  // What is active, in one line: an operator sees at a glance what this instance enforces.
  const active = {
    auth,
    rate_limited_routes: c.routes.filter((r) => (r.rate_limit ?? c.rate_limit)?.enabled || (r.spike_arrest ?? c.spike_arrest)?.enabled || (r.quota ?? c.quota)?.enabled).map((r) => r.id),
    tls_listeners: c.listeners.filter((l) => l.tls?.enabled).map((l) => l.id),
    tracing: (c.tracing as { enabled?: boolean } | undefined)?.enabled === true,
    // The access log is not filtered by `logging.level` (nginx keeps access and error logs
    // apart): say where it goes, so `level: error` with request lines flowing is no surprise.
    access_log: c.logging.access_log ? c.logging.output || 'stdout' : 'off',
    log_level: c.logging.level,
    admin: c.admin.enabled ? (c.admin.address ?? null) : null,
  }
  logger.info('config loaded', {
    runtime,
    version: gateway.version,
    listeners: c.listeners.map((l) => `${l.id}=${l.tls?.enabled ? 'https' : l.protocol}://${l.address}`),
    routes: gateway.routes().map((r) => r.id),
    store: c.store.type,
    active,
  })
  for (const key of gateway.inactive) {
    logger.warn('config key accepted but not active in this version', { key })
  }
}

export function printReady(runtime: RuntimeName, listeners: Record<string, string>, admin: string | null): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'ready', runtime, listeners, admin }))
}
