/**
 * Redis over TCP (ioredis) for Node, Bun and Deno. Every operation is one EVALSHA of a script
 * from src/store/lua.ts (EVAL once on NOSCRIPT, which also reloads the server's script cache).
 * ioredis reconnects on its own with backoff; while it is away, commands fail after
 * `timeoutMs` instead of queueing without end, so the failure policy decides, not the socket.
 * @module
 */
import { Redis } from 'ioredis'
import { CAS_SCRIPT, INCR_SCRIPT, LIMIT_SCRIPT, casArgs, createScriptRunner, limitArgs, toDecision } from '../../src/store/lua.ts'
import { type RateDecision, type RateRule, type Store, storeCall } from '../../src/core/store.ts'

export interface RedisStoreOptions {
  /** `host:port` or a `redis://` / `rediss://` URL. */
  address: string
  password?: string
  db?: number
  tls?: boolean
  /** Prefix of every key, so one Redis can serve several gateways (default `portico:`). */
  keyPrefix?: string
  /** Per-command deadline, ms (default 250). */
  timeoutMs?: number
}

export function createRedisStore(options: RedisStoreOptions): Store {
  const timeoutMs = options.timeoutMs ?? 250
  const prefix = options.keyPrefix ?? 'portico:'
  const url = /^rediss?:\/\//.test(options.address) ? new URL(options.address) : new URL(`redis://${options.address}`)
  const client = new Redis({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 6379),
    password: options.password || decodeURIComponent(url.password) || undefined,
    username: decodeURIComponent(url.username) || undefined,
    db: options.db ?? (Number(url.pathname.slice(1)) || 0),
    tls: options.tls || url.protocol === 'rediss:' ? {} : undefined,
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(1000, timeoutMs),
    // A command waits for at most one reconnect attempt; then it fails and the policy decides.
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    enableAutoPipelining: true,
    lazyConnect: false,
  })
  // ioredis emits 'error' on every failed reconnect; without a listener Node treats it as fatal.
  let lastError = ''
  client.on('error', (err: Error) => {
    lastError = err.message
  })
  const runScript = createScriptRunner({
    evalsha: (sha, key, args) => client.evalsha(sha, 1, key, ...args),
    eval: (script, key, args) => client.eval(script, 1, key, ...args),
  })
  const run = (op: string, script: string, key: string, args: string[]) =>
    storeCall('redis', op, () => runScript(script, prefix + key, args), lastError ? ` (${lastError})` : '')
  const call = <T>(op: string, fn: () => Promise<T>) => storeCall('redis', op, fn)

  return {
    kind: 'redis',
    capabilities: { atomic: true, consistency: 'strong', shared: true },
    async limit(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
      return toDecision(await run('limit', LIMIT_SCRIPT, key, limitArgs(rule, cost)))
    },
    async incr(key, by, ttlMs) {
      return Number(await run('incr', INCR_SCRIPT, key, [String(Math.trunc(by)), String(Math.max(0, Math.ceil(ttlMs)))]))
    },
    get: (key) => call('get', () => client.get(prefix + key)),
    async set(key, value, ttlMs = 0) {
      await call('set', () => (ttlMs > 0 ? client.set(prefix + key, value, 'PX', Math.ceil(ttlMs)) : client.set(prefix + key, value)))
    },
    delete: (key) => call('delete', async () => (await client.del(prefix + key)) > 0),
    async compareAndSet(key, expected, value, ttlMs = 0) {
      return Number(await run('compareAndSet', CAS_SCRIPT, key, casArgs(expected, value, ttlMs))) === 1
    },
    async ping() {
      await call('ping', () => client.ping())
    },
    async close() {
      client.disconnect()
    },
  }
}
