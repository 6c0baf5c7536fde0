import { afterAll, beforeAll } from 'vitest'
import { type UpstashBridge, createUpstashBridge } from '../../adapters/redis/upstash-bridge.ts'
import { createUpstashStore } from '../../adapters/upstash/upstash-store.ts'
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts'
import { runStoreSuite } from '../stores/run-store-suite.ts'

let redis: RedisServer
let bridge: UpstashBridge
beforeAll(async () => {
  redis = await startRedisServer()
  bridge = await createUpstashBridge({ redisUrl: redis.url, token: 'suite-token' })
})
afterAll(async () => {
  await bridge?.close()
  await redis?.stop()
})

runStoreSuite('upstash (REST bridge + real redis-server)', () => createUpstashStore({ url: bridge.url, token: 'suite-token' }))
