/**
 * `portico/cloudflare`: the same `serve` as portico/node, bun and deno, running the Worker in
 * local workerd through Miniflare (a development server, not for direct exposure; deploy with
 * wrangler, `main = adapters/cloudflare/worker.ts`, or `export default createPortico(…)`).
 * Needs `miniflare` and `esbuild` installed beside portico.
 * @module
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ReloadStatus } from '../../src/gateway/reload.ts'
import { PorticoConfigError, parsePorticoConfig } from '../../src/portico.ts'
import { loadConfigFile } from '../server/config-file.ts'
import type { RunningServer, ServeOptions } from '../server/start.ts'

export { PorticoConfigError }
export { createWorkerdRuntime } from './runtime.ts'
export type { RunningServer, ServeOptions }

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env
  const file = options.configFile === undefined ? undefined : resolve(options.configFile)
  if (file === undefined && options.config === undefined) throw new TypeError('serve: pass configFile or config')
  const parsed = file !== undefined ? loadConfigFile(file, env) : parsePorticoConfig(options.config!, 'config', env)
  if (!parsed.ok) throw new PorticoConfigError(parsed.issues)
  const text = file !== undefined ? readFileSync(file, 'utf8') : typeof options.config === 'string' ? options.config : JSON.stringify(options.config)
  const { serveWorkerdText } = await import('./dev-server.ts')
  const running = await serveWorkerdText(text, parsed.config, env)
  return {
    runtime: 'workerd',
    listeners: running.listeners,
    admin: null,
    // The Worker re-reads its config from KV (cloudflare.config_kv_key, `portico push-config`); there is no file to re-read.
    reload: (): Promise<ReloadStatus> => Promise.reject(new Error('reload: on workerd the config is bound into the Worker; use cloudflare.config_kv_key and portico push-config')),
    close: () => running.close(),
  }
}
