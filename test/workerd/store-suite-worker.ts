/**
 * Runs the shared store cases inside workerd against the real KV and Durable Object bindings
 * (Miniflare); `GET /?store=kv|durable_object` answers with one result per case.
 */
import { createDurableObjectStore } from '../../adapters/cloudflare/do-store.ts'
import { createKvStore } from '../../adapters/cloudflare/kv-store.ts'
import type { DurableObjectNamespace, KVNamespace } from '../../adapters/cloudflare/workers-api.ts'
import { runStoreCases } from '../stores/store-cases.ts'

export { PorticoStoreObject } from '../../adapters/cloudflare/do-store.ts'

interface Env {
  STORE_KV: KVNamespace
  STORE_DO: DurableObjectNamespace<never>
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const which = new URL(request.url).searchParams.get('store')
    const store = which === 'kv' ? createKvStore(env.STORE_KV) : createDurableObjectStore(env.STORE_DO, { shards: 4 })
    return Response.json(await runStoreCases(store, `${which}:${Date.now()}`))
  },
}
