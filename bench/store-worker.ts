/**
 * Bench worker for the Workers stores: `/decide?store=durable_object|kv` makes one rate-limit
 * decision, `/noop` none, so the difference of their latencies is the decision's cost.
 */
import { createDurableObjectStore } from '../adapters/cloudflare/do-store.ts'
import { createKvStore } from '../adapters/cloudflare/kv-store.ts'
import type { DurableObjectNamespace, KVNamespace } from '../adapters/cloudflare/workers-api.ts'

export { PorticoStoreObject } from '../adapters/cloudflare/do-store.ts'

interface Env {
  STORE_KV: KVNamespace
  STORE_DO: DurableObjectNamespace<never>
}

const rule = { algorithm: 'token_bucket' as const, limit: 1_000_000, rate: 1_000_000, periodMs: 1000 }

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/noop') return new Response('ok')
    const store = url.searchParams.get('store') === 'kv' ? createKvStore(env.STORE_KV) : createDurableObjectStore(env.STORE_DO)
    const d = await store.limit(`bench:${url.searchParams.get('k') ?? 'k'}`, rule)
    return new Response(d.allowed ? 'ok' : 'no')
  },
}
