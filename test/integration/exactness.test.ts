/**
 * Exactness of distributed rate limits: two gateway processes sharing one store admit, together,
 * exactly `burst + rate × elapsed` (± 1) under a concurrent flood of ≥ 2,000 requests — counted
 * at a real upstream. `mode: local` limits each process on its own (documented), and the memory
 * store is exact within its one process.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type UpstashBridge, createUpstashBridge } from '../../adapters/redis/upstash-bridge.ts'
import { root, startPortico } from '../conformance/global-setup.ts'
import { admittedRange, type CountingUpstream, flood, startCountingUpstream } from '../helpers/flood.ts'
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts'

let redis: RedisServer
let upstream: CountingUpstream
let bridge: UpstashBridge
const stops: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  ;[redis, upstream] = await Promise.all([startRedisServer(), startCountingUpstream()])
  bridge = await createUpstashBridge({ redisUrl: redis.url, token: 'exactness-token' })
})
afterAll(async () => {
  await Promise.all(stops.map((s) => s()))
  await bridge?.close()
  await Promise.all([redis?.stop(), upstream?.close()])
})

const BURST = 100
const RATE = 5 // per second

// Stores get a 10 s timeout: on a loaded machine a call slower than the default 250 ms would be
// admitted by the fail_open policy (by design) and counted as over-admission here.
function writeConfig(name: string, store: string, mode: 'local' | 'distributed', port: number): string {
  const file = join(root, '.test-out', `exactness-${name}-${port}.yaml`)
  const yaml = [
    `listeners: [{ id: public, address: "127.0.0.1:0" }]`,
    'admin: { enabled: false }',
    'logging: { access_log: false, level: warn }',
    store,
    'routes:',
    '  - id: flood',
    '    path: /flood',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Portico's own ${env:X} syntax, not a JS template
    '    backends: [{ url: "${env:UP}" }]',
    `    rate_limit: { rate: ${RATE}, period: 1s, burst: ${BURST}, mode: ${mode}, key: ip }`,
  ].join('\n')
  writeFileSync(file, yaml)
  return file
}

async function gateways(name: string, runtimes: string[], store: string, mode: 'local' | 'distributed', env: Record<string, string> = {}) {
  const urls: string[] = []
  for (const [i, rt] of runtimes.entries()) {
    const file = writeConfig(name, store, mode, i)
    const p = startPortico(rt, file, { UP: upstream.url, ...env }, join(root, '.test-out', `exactness-${name}-${i}.log`))
    stops.push(p.stop)
    const ready = await p.ready
    urls.push(`${ready.listeners.public}/flood`)
  }
  return urls
}

async function exactFlood(urls: string[]) {
  upstream.reset()
  const r = await flood(urls, { minRequests: 2000, minDurationMs: 2000, concurrency: 64 })
  const ok = r.byStatus[200] ?? 0
  const [lo, hi] = admittedRange(r, BURST, RATE, 1000)
  const hits = upstream.hits()
  console.log(`[exactness] ${urls.length} gateway(s): sent ${r.sent} in ${Math.round(r.tEnd - r.tStart)} ms, admitted ${hits} (expected ${lo}..${hi}), 429: ${r.byStatus[429] ?? 0}`)
  return { r, ok, lo, hi, hits }
}

describe('distributed rate limit exactness (flood ≥ 2,000 requests, counted at the upstream)', () => {
  it('redis: a Node and a Bun gateway sharing one redis-server admit burst + rate × elapsed (± 1)', async () => {
    const urls = await gateways('redis', ['node', 'bun'], `store: { type: redis, timeout: 10s }\nredis: { address: "127.0.0.1:${redis.port}" }`, 'distributed')
    const { r, ok, lo, hi, hits } = await exactFlood(urls)
    expect(r.sent).toBeGreaterThanOrEqual(2000)
    expect(r.errors).toBe(0)
    expect(ok + (r.byStatus[429] ?? 0)).toBe(r.sent)
    expect(hits).toBe(ok)
    expect(hits).toBeGreaterThanOrEqual(lo)
    expect(hits).toBeLessThanOrEqual(hi)
    expect(hi - lo).toBeLessThanOrEqual(4) // the bound itself is tight: the test can fail
  })

  it('upstash: a Node and a Deno gateway sharing one Upstash REST endpoint (bridge + redis-server) admit burst + rate × elapsed (± 1)', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Portico's own ${env:X} syntax, not a JS template
    const store = 'store: { type: upstash, key_prefix: "up:", timeout: 10s }\nupstash: { url: "${env:UP_URL}", token: "${env:UP_TOKEN}" }'
    const urls = await gateways('upstash', ['node', 'deno'], store, 'distributed', { UP_URL: bridge.url, UP_TOKEN: 'exactness-token' })
    const { r, ok, lo, hi, hits } = await exactFlood(urls)
    expect(r.sent).toBeGreaterThanOrEqual(2000)
    expect(r.errors).toBe(0)
    expect(hits).toBe(ok)
    expect(hits).toBeGreaterThanOrEqual(lo)
    expect(hits).toBeLessThanOrEqual(hi)
    expect(hi - lo).toBeLessThanOrEqual(4)
  })

  it('memory: one process is exact on its own', async () => {
    const urls = await gateways('memory', ['node'], 'store: { type: memory }', 'distributed')
    const { r, ok, lo, hi, hits } = await exactFlood(urls)
    expect(r.sent).toBeGreaterThanOrEqual(2000)
    expect(hits).toBe(ok)
    expect(hits).toBeGreaterThanOrEqual(lo)
    expect(hits).toBeLessThanOrEqual(hi)
  })

  it('mode: local — each of two processes limits on its own (about twice the shared figure)', async () => {
    const urls = await gateways('local', ['node', 'node'], `store: { type: redis }\nredis: { address: "127.0.0.1:${redis.port}" }`, 'local')
    const { r, hits } = await exactFlood(urls)
    const [lo, hi] = admittedRange(r, BURST, RATE, 1000)
    expect(hits).toBeGreaterThanOrEqual(2 * lo)
    expect(hits).toBeLessThanOrEqual(2 * hi)
  })
})
