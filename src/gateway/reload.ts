/**
 * Config reload: parse → validate → compile → atomic swap of `holder.current`. In-flight requests
 * finish on the version they started with; a config that fails validation or compilation is
 * rejected, reported (log and `GET /reload/status`), and the old version keeps serving. The next
 * version gets the previous one's upstream state, so health verdicts, ejections, latency and
 * circuit state carry over for what the new config keeps (docs/proxy.md, Reload).
 * @module
 */
import { formatIssues } from '../config/issues.ts'
import type { ParseResult } from '../config/load.ts'
import type { Config } from '../config/types.ts'
import { gatewayMetrics } from '../observability/gateway-metrics.ts'
import { createGateway } from './gateway.ts'
import type { GatewayHolder } from './holder.ts'
import type { Runtime } from '../core/runtime.ts'

export interface ReloadStatus {
  ok: boolean
  version: number
  at: string
  /** `FILE: key.path: message` lines of the rejected config. */
  error?: string
  trigger?: string
}

export interface Reloader {
  reload(trigger: string): Promise<ReloadStatus>
  status(): ReloadStatus | null
}

/** Keys whose change needs a restart: sockets are bound once, at start. */
function restartOnlyChanges(before: Config, after: Config): string[] {
  const out: string[] = []
  if (JSON.stringify(before.listeners) !== JSON.stringify(after.listeners)) out.push('listeners')
  if (before.admin.address !== after.admin.address || before.admin.enabled !== after.admin.enabled) out.push('admin.address')
  if (JSON.stringify(before.logging) !== JSON.stringify(after.logging)) out.push('logging')
  // Stores are connected once per process (their counters outlive config versions).
  for (const key of ['store', 'redis', 'upstash', 'cloudflare'] as const) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out.push(key)
  }
  return out
}

/** `load` may be asynchronous: the Bun entry validates in a worker (adapters/server/config-in-worker.ts). */
export function createReloader(holder: GatewayHolder, load: () => ParseResult | Promise<ParseResult>, runtime: Runtime): Reloader {
  let last: ReloadStatus | null = null
  // Reloads run one after another: a slow one (key imports) never finishes after a later one.
  let queue: Promise<unknown> = Promise.resolve()
  const reloads = runtime.metrics ? gatewayMetrics(runtime.metrics).reloads : null
  return {
    status: () => last,
    reload(trigger) {
      const run = queue.then(() => reloadNow(trigger))
      queue = run.catch(() => {})
      return run
    },
  }

  async function reloadNow(trigger: string): Promise<ReloadStatus> {
    const at = new Date().toISOString()
    const parsed = await load()
    if (!parsed.ok) {
      const error = formatIssues(parsed.issues)
      runtime.logger.error('config reload rejected; the running config is kept', { trigger, error })
      last = { ok: false, version: holder.current.version, at, error, trigger }
      reloads?.inc(['failure'])
      return last
    }
    let next: ReturnType<typeof createGateway> | undefined
    try {
      next = createGateway(parsed.config, runtime, holder.current.upstreams)
      await next.ready
    } catch (err) {
      next?.close()
      const error = String((err as Error).message ?? err)
      runtime.logger.error('config reload rejected; the running config is kept', { trigger, error })
      last = { ok: false, version: holder.current.version, at, error, trigger }
      reloads?.inc(['failure'])
      return last
    }
    const previous = holder.current
    holder.current = next
    holder.loadedAt = Date.now()
    previous.close()
    for (const key of restartOnlyChanges(previous.config, next.config)) {
      runtime.logger.warn('config key changed but applies only after a restart', { key })
    }
    runtime.logger.info('config reloaded', { trigger, version: next.version, routes: next.routes().map((r) => r.id) })
    reloads?.inc(['success'])
    last = { ok: true, version: next.version, at, trigger }
    return last
  }
}
