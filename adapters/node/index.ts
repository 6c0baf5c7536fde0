/**
 * `portico/node`: serve a config on Node. The same two names on every runtime
 * (portico/bun, portico/deno): `serve` and the runtime factory.
 * @module
 */
import { PorticoConfigError, type RunningServer, type ServeOptions, startServer } from '../server/start.ts'
import { nodeSpec } from './serve.ts'

export { createNodeRuntime } from './runtime.ts'
export { PorticoConfigError }
export type { RunningServer, ServeOptions }

/** Validates (throwing PorticoConfigError with every problem), binds every listener, resolves when they accept. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { runtime, listeners, admin, reload, close } = await startServer(nodeSpec, options)
  return { runtime, listeners, admin, reload, close }
}
