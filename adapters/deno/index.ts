/**
 * `portico/deno`: serve a config on Deno. The same two names on every runtime
 * (portico/node, portico/bun): `serve` and the runtime factory.
 * @module
 */
import { PorticoConfigError, type RunningServer, type ServeOptions, startServer } from '../server/start.ts'
import { denoSpec } from './serve.ts'

export { createDenoRuntime } from './serve.ts'
export { PorticoConfigError }
export type { RunningServer, ServeOptions }

/** Validates (throwing PorticoConfigError with every problem), binds every listener, resolves when they accept. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { runtime, listeners, admin, reload, close } = await startServer(denoSpec, options)
  return { runtime, listeners, admin, reload, close }
}
