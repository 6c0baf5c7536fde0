/**
 * Node's Runtime: the server runtimes' timers, metrics, stores and tracing (server-runtime.ts)
 * with an undici pool per upstream origin as the forwarder (undici-forwarder.ts).
 * @module
 */
import type { Config } from '../../src/config/types.ts'
import type { Logger } from '../../src/core/runtime.ts'
import { createServerRuntime } from '../server/server-runtime.ts'
import type { ServerRuntime } from '../server/start.ts'
import { createUndiciForwarder } from './undici-forwarder.ts'

export async function createNodeRuntime(config: Config, logger: Logger): Promise<ServerRuntime> {
  const forwarder = createUndiciForwarder()
  const runtime = await createServerRuntime('node', forwarder.forward, logger, config)
  return {
    ...runtime,
    async close() {
      await runtime.flushTracing?.()
      await forwarder.close()
    },
  }
}
