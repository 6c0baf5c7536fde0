/**
 * `portico/bun`: serve a config on Bun. The same two names on every runtime
 * (portico/node, portico/deno): `serve` and the runtime factory.
 * @module
 */
import { PorticoConfigError, type RunningServer, type ServeOptions, startServer } from '../server/start.ts'
import { bunSpec } from './serve.ts'

export { createBunRuntime } from './serve.ts'
export { PorticoConfigError }
export type { RunningServer, ServeOptions }

/** Validates (throwing PorticoConfigError with every problem), binds every listener, resolves when they accept. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { runtime, listeners, admin, reload, close } = await startServer(bunSpec, options)
  return { runtime, listeners, admin, reload, close }
}
