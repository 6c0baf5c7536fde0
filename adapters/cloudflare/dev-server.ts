/**
 * `portico --runtime workerd`: runs the bundled worker in real workerd through Miniflare on
 * the config's first http listener address. The config text is bound as PORTICO_CONFIG, and
 * the environment variables it references are bound too (on Cloudflare they are [vars]/secrets).
 * @module
 */
import { readFileSync } from 'node:fs'
import { Miniflare } from 'miniflare'
import type { Config } from '../../src/config/types.ts'
import { parseListenAddress, urlOf } from '../server/listen-address.ts'
import { bundleWorker } from './bundle.ts'
import { HEALTH_BINDING } from './health-client.ts'

const ENV_REF = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g

export function serveWorkerd(file: string, config: Config) {
  return serveWorkerdText(readFileSync(file, 'utf8'), config)
}

/** `text` is the config as written (bound as PORTICO_CONFIG), `config` the same text validated. */
export async function serveWorkerdText(text: string, config: Config, env: Record<string, string | undefined> = process.env) {
  const bindings: Record<string, string> = { PORTICO_CONFIG: text }
  for (const m of text.matchAll(ENV_REF)) {
    const value = env[m[1]]
    if (value !== undefined) bindings[m[1]] = value
  }
  const http = config.listeners.filter((l) => l.protocol === 'http')
  if (http.length > 1) console.error('workerd: only the first http listener is served (the platform owns the socket)')
  const { host, port } = parseListenAddress(http[0]?.address ?? '127.0.0.1:8080')
  const script = await bundleWorker()
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-01-01',
    bindings,
    // The same bindings wrangler.toml declares: the store's and the health checks' Durable
    // Object classes (exported by the worker) and a KV namespace, all kept in memory by Miniflare.
    durableObjects: { [config.cloudflare?.durable_object_binding ?? 'PORTICO_DO']: 'PorticoStoreObject', [HEALTH_BINDING]: 'PorticoHealthObject' },
    kvNamespaces: [config.cloudflare?.kv_binding ?? 'PORTICO_KV'],
    ...(config.cloudflare?.analytics_engine_binding
      ? { analyticsEngineDatasets: { [config.cloudflare.analytics_engine_binding]: { dataset: 'portico' } } }
      : {}),
    host,
    port,
  })
  const url = await mf.ready
  return {
    listeners: { [http[0]?.id ?? 'listener-0']: urlOf(url.hostname, Number(url.port)) },
    close: () => mf.dispose(),
  }
}
