/**
 * Stores on Workers: `local` is this isolate's memory (isolates share nothing, so `mode: local`
 * limits count per isolate); `shared` follows `store.type` — a Durable Object namespace, a KV
 * namespace, or Upstash over fetch. Redis over TCP is not offered here.
 * @module
 */
import type { Config } from '../../src/config/types.ts'
import type { Logger } from '../../src/core/runtime.ts'
import { gatewayMetrics } from '../../src/observability/gateway-metrics.ts'
import type { MetricsRegistry } from '../../src/core/metrics.ts'
import type { LimitStores } from '../../src/core/store.ts'
import { guardStore } from '../../src/store/guard.ts'
import type { Store } from '../../src/core/store.ts'
import { createUpstashStore } from '../upstash/upstash-store.ts'
import { createDurableObjectStore } from './do-store.ts'
import { createKvStore } from './kv-store.ts'
import type { DurableObjectNamespace, KVNamespace } from './workers-api.ts'

export function createWorkerStores(
  config: Config,
  env: Record<string, unknown>,
  local: Store,
  logger: Logger,
  metrics?: MetricsRegistry,
): LimitStores {
  const s = config.store
  const binding = (name: string, what: string) => {
    const b = env[name]
    if (b === undefined || b === null) {
      throw new Error(`store.type ${s.type} needs the ${what} binding "${name}" (wrangler.toml; cloudflare.${what === 'KV namespace' ? 'kv_binding' : 'durable_object_binding'})`)
    }
    return b
  }
  let shared: Store
  switch (s.type) {
    case 'memory':
      return { local, shared: local }
    case 'durable_object': {
      const name = config.cloudflare?.durable_object_binding ?? 'PORTICO_DO'
      shared = createDurableObjectStore(binding(name, 'Durable Object') as DurableObjectNamespace<never>, { shards: s.shards, keyPrefix: s.key_prefix })
      break
    }
    case 'cloudflare_kv': {
      const name = config.cloudflare?.kv_binding ?? 'PORTICO_KV'
      shared = createKvStore(binding(name, 'KV namespace') as KVNamespace, { keyPrefix: s.key_prefix })
      break
    }
    case 'upstash':
      shared = createUpstashStore({ url: config.upstash?.url ?? '', token: config.upstash?.token ?? '', keyPrefix: s.key_prefix })
      break
    case 'redis':
      throw new Error('store.type redis needs TCP sockets, which Workers do not offer to this store: use upstash or durable_object')
  }
  const errors = metrics ? gatewayMetrics(metrics).storeErrors : undefined
  return { local, shared: guardStore(shared, { timeoutMs: s.timeout, logger, errors }) }
}
