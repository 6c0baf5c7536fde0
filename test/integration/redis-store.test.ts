import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisStore } from '../../adapters/redis/redis-store.ts'
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts'
import { runStoreSuite } from '../stores/run-store-suite.ts'

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(async () => {
  await redis?.stop()
})

runStoreSuite('redis (real redis-server)', () => createRedisStore({ address: redis.url }))

describe('redis store', () => {
  it('re-loads its scripts after SCRIPT FLUSH (NOSCRIPT fallback)', async () => {
    const store = createRedisStore({ address: redis.url })
    const rule = { algorithm: 'gcra' as const, limit: 2, rate: 1, periodMs: 60_000 }
    expect((await store.limit('flush', rule)).allowed).toBe(true)
    const { Redis } = await import('ioredis')
    const admin = new Redis(redis.url)
    await admin.script('FLUSH')
    admin.disconnect()
    expect((await store.limit('flush', rule)).allowed).toBe(true)
    expect((await store.limit('flush', rule)).allowed).toBe(false)
    await store.close()
  })

  it('fails fast while Redis is down and recovers when it is back', async () => {
    const own = await startRedisServer()
    const store = createRedisStore({ address: own.url, timeoutMs: 200 })
    await store.set('k', 'v')
    await own.stop()
    const started = Date.now()
    await expect(store.get('k')).rejects.toThrow(/redis store: get/)
    expect(Date.now() - started).toBeLessThan(3000)
    // Same port again: ioredis reconnects by itself.
    const { spawn } = await import('node:child_process')
    const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(own.port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    try {
      let ok = false
      for (let i = 0; i < 50 && !ok; i++) {
        await new Promise((r) => setTimeout(r, 100))
        ok = await store.set('k2', 'v2').then(() => true, () => false)
      }
      expect(ok).toBe(true)
      expect(await store.get('k2')).toBe('v2')
    } finally {
      await store.close()
      child.kill('SIGTERM')
    }
  })

  it('prefixes keys so several gateways can share one Redis', async () => {
    const a = createRedisStore({ address: redis.url, keyPrefix: 'gw-a:' })
    const b = createRedisStore({ address: redis.url, keyPrefix: 'gw-b:' })
    await a.set('same', 'A')
    expect(await b.get('same')).toBeNull()
    await Promise.all([a.close(), b.close()])
  })
})
