/**
 * The Worker's Runtime: workerd's fetch (forwarder.ts), no timers outside a request (so no
 * `schedule`), per-isolate metrics, and one Analytics Engine data point per request when
 * `cloudflare.analytics_engine_binding` names a bound dataset.
 * @module
 */
import { connect } from 'cloudflare:sockets'
import type { Config } from '../../src/config/types.ts'
import type { Logger, Runtime } from '../../src/core/runtime.ts'
import type { MetricsRegistry } from '../../src/core/metrics.ts'
import type { LimitStores } from '../../src/core/store.ts'
import { type AnalyticsEngineDataset, createAnalyticsRecorder } from './analytics.ts'
import { createWorkerdForwarder } from './forwarder.ts'

export interface WorkerdRuntimeOptions {
  config: Config
  /** The Worker's bindings. */
  env: Record<string, unknown>
  logger: Logger
  metrics: MetricsRegistry
  stores: LimitStores
}

export function createWorkerdRuntime(o: WorkerdRuntimeOptions): Runtime {
  return {
    name: 'workerd',
    forward: createWorkerdForwarder(),
    connect,
    logger: o.logger,
    now: () => performance.now(),
    // Per isolate: each isolate counts only what it served (docs/proxy.md).
    metrics: o.metrics,
    stores: o.stores,
    recordRequest: analyticsFor(o.config, o.env),
  }
}

function analyticsFor(config: Config, env: Record<string, unknown>) {
  const name = config.cloudflare?.analytics_engine_binding
  if (name === undefined) return undefined
  const ds = env[name] as AnalyticsEngineDataset | undefined
  if (typeof ds?.writeDataPoint !== 'function') {
    console.log(JSON.stringify({ level: 'warn', msg: 'cloudflare.analytics_engine_binding names no Analytics Engine dataset binding', binding: name }))
    return undefined
  }
  return createAnalyticsRecorder(ds)
}

