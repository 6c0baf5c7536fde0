/**
 * The stores of the server runtimes (Node, Bun, Deno): `local` is always in memory; `shared`
 * follows `store.type` — memory, Redis over TCP, or Upstash over HTTP — wrapped in the guard
 * that bounds each call by `store.timeout`. KV and Durable Objects exist only on Workers.
 * @module
 */
import type { Config } from '../../src/config/types.ts'
import type { Logger } from '../../src/core/runtime.ts'
import { gatewayMetrics } from '../../src/observability/gateway-metrics.ts'
import type { MetricsRegistry } from '../../src/core/metrics.ts'
import type { LimitStores } from '../../src/core/store.ts'
import { guardStore } from '../../src/store/guard.ts'
import { createMemoryStore } from '../../src/store/memory-store.ts'
import type { Store } from '../../src/core/store.ts'

/**
 * The client of a remote store is imported only when `store.type` names it: ioredis alone adds
 * ~14 MB of resident memory to a Bun process, which a gateway on the default in-memory store
 * should not carry (docs/performance.md, peak RSS).
 */
export async function createServerStores(config: Config, logger: Logger, metrics?: MetricsRegistry): Promise<LimitStores> {
  const s = config.store
  const local = createMemoryStore({ maxKeys: s.max_keys })
  let shared: Store
  switch (s.type) {
    case 'memory':
      shared = local
      break
    case 'redis': {
      const r = config.redis ?? { address: '127.0.0.1:6379' }
      const { createRedisStore } = await import('../redis/redis-store.ts')
      shared = createRedisStore({ address: r.address, password: r.password, db: r.db, tls: r.tls, keyPrefix: s.key_prefix, timeoutMs: s.timeout })
      break
    }
    case 'upstash': {
      const { createUpstashStore } = await import('../upstash/upstash-store.ts')
      shared = createUpstashStore({ url: config.upstash?.url ?? '', token: config.upstash?.token ?? '', keyPrefix: s.key_prefix })
      break
    }
    default:
      throw new Error(`store.type ${s.type} exists only on Cloudflare Workers (portico --runtime workerd, wrangler deploy); use redis or upstash here`)
  }
  const errors = metrics ? gatewayMetrics(metrics).storeErrors : undefined
  return { local, shared: guardStore(shared, { timeoutMs: s.timeout, logger, errors }) }
}
