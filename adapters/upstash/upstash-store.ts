/**
 * Upstash Redis over its REST API (`@upstash/redis`, fetch only): the shared store that works
 * on every runtime, Workers included. Same Lua scripts as the TCP Redis store, so decisions are
 * atomic and exact; each one is one HTTPS round trip. For local use and tests,
 * `portico upstash-bridge` serves the same REST API in front of a real redis-server.
 * @module
 */
import { Redis } from '@upstash/redis/cloudflare'
import { CAS_SCRIPT, INCR_SCRIPT, LIMIT_SCRIPT, casArgs, createScriptRunner, limitArgs, toDecision } from '../../src/store/lua.ts'
import { type RateDecision, type RateRule, type Store, storeCall } from '../../src/core/store.ts'

export interface UpstashStoreOptions {
  url: string
  token: string
  /** Prefix of every key (default `portico:`). */
  keyPrefix?: string
}

export function createUpstashStore(options: UpstashStoreOptions): Store {
  if (!options.url || !options.token) throw new Error('upstash store: upstash.url and upstash.token are required')
  const prefix = options.keyPrefix ?? 'portico:'
  const client = new Redis({
    url: options.url,
    token: options.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    // The store guard bounds every call and the failure policy decides; the client must not
    // retry on its own behind that deadline.
    retry: { retries: 0 },
  })
  const runScript = createScriptRunner({
    evalsha: (sha, key, args) => client.evalsha(sha, [key], args),
    eval: (script, key, args) => client.eval(script, [key], args),
  })
  const run = (op: string, script: string, key: string, args: string[]) => storeCall('upstash', op, () => runScript(script, prefix + key, args))
  const call = <T>(op: string, fn: () => Promise<T>) => storeCall('upstash', op, fn)

  return {
    kind: 'upstash',
    capabilities: { atomic: true, consistency: 'strong', shared: true },
    async limit(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
      return toDecision(await run('limit', LIMIT_SCRIPT, key, limitArgs(rule, cost)))
    },
    async incr(key, by, ttlMs) {
      return Number(await run('incr', INCR_SCRIPT, key, [String(Math.trunc(by)), String(Math.max(0, Math.ceil(ttlMs)))]))
    },
    async get(key) {
      const v = await call('get', () => client.get<string>(prefix + key))
      return v === null || v === undefined ? null : String(v)
    },
    async set(key, value, ttlMs = 0) {
      await call('set', () => (ttlMs > 0 ? client.set(prefix + key, value, { px: Math.ceil(ttlMs) }) : client.set(prefix + key, value)))
    },
    delete: (key) => call('delete', async () => (await client.del(prefix + key)) > 0),
    async compareAndSet(key, expected, value, ttlMs = 0) {
      return Number(await run('compareAndSet', CAS_SCRIPT, key, casArgs(expected, value, ttlMs))) === 1
    },
    async ping() {
      await call('ping', () => client.ping())
    },
    close: () => Promise.resolve(),
  }
}
