/**
 * The Runtime object of the server runtimes (Node, Bun, Deno): the same timers, clock, metrics
 * registry and background-error handling; only the name and the forwarder differ.
 * @module
 */
import type { Config } from '../../src/config/types.ts'
import type { Forwarder, Logger, Runtime, RuntimeName } from '../../src/gateway/types.ts'
import { createMetricsRegistry } from '../../src/observability/metrics.ts'
import { createServerStores } from './stores.ts'

/** `runtime.schedule`: an interval that does not keep the process alive. */
export function schedule(everyMs: number, fn: () => void): () => void {
  const timer = setInterval(fn, everyMs)
  // Node and Bun timers can be unref'd; Deno's are numbers (the process exits on signals anyway).
  ;(timer as { unref?: () => void }).unref?.()
  return () => clearInterval(timer)
}

export function createServerRuntime(name: RuntimeName, forward: Forwarder, logger: Logger, config: Config): Runtime {
  const metrics = createMetricsRegistry()
  return {
    name,
    forward,
    logger,
    waitUntil: (p) => void p.catch((err) => logger.error('background task failed', { error: String(err) })),
    now: () => performance.now(),
    schedule,
    metrics,
    // Created once per process: limit counters and store connections survive reloads.
    stores: createServerStores(config, logger, metrics),
  }
}
