/**
 * The Runtime object of the server runtimes (Node, Bun, Deno): the same timers, clock, metrics
 * registry, background-error handling and tracing SDK; only the name and the forwarder differ.
 * @module
 */
import type { Config } from '../../src/config/types.ts'
import type { Forwarder, Logger, Runtime, RuntimeName } from '../../src/core/runtime.ts'
import { createMetricsRegistry } from '../../src/observability/metrics.ts'
import { createServerStores } from './stores.ts'
import { connectTcp } from './tcp-connect.ts'

/** `runtime.schedule`: an interval that does not keep the process alive. */
export function schedule(everyMs: number, fn: () => void): () => void {
  const timer = setInterval(fn, everyMs)
  // Node and Bun timers can be unref'd; Deno's are numbers (the process exits on signals anyway).
  ;(timer as { unref?: () => void }).unref?.()
  return () => clearInterval(timer)
}

/** What differs between the server runtimes beyond the name and the forwarder. */
export interface ServerRuntimeOptions {
  /** Runtime.mutableResponses: the forwarder's fetch Responses can be edited in place (Bun). */
  mutableResponses?: boolean
}

export async function createServerRuntime(
  name: RuntimeName,
  forward: Forwarder,
  logger: Logger,
  config: Config,
  options: ServerRuntimeOptions = {},
): Promise<Runtime> {
  const metrics = createMetricsRegistry()
  // Loaded only when configured (the SDK and exporter cost ~60 ms and ~18 MB at start); gateways
  // wait for it through `ready`, so no request is served before spans can be recorded.
  const tracing =
    config.tracing?.enabled === true
      ? import('./tracing-sdk.ts')
          .then((sdk) => sdk.startTracingSdk(config, logger))
          .catch((err) => {
            logger.error('tracing SDK could not be started; no spans are exported', { error: String(err) })
            return null
          })
      : null
  return {
    name,
    forward,
    connect: connectTcp,
    mutableResponses: options.mutableResponses,
    logger,
    now: () => performance.now(),
    schedule,
    // The gateway's own calls (JWKS, introspection, HTTP health probes) go through this.
    fetch: ((input: Parameters<typeof fetch>[0], init?: RequestInit) => fetch(input, init)) as typeof fetch,
    metrics,
    // Created once per process: limit counters and store connections survive reloads.
    stores: await createServerStores(config, logger, metrics),
    ready: tracing?.then(() => {}),
    flushTracing: tracing === null ? undefined : () => tracing.then((flush) => flush?.()),
  }
}
