/**
 * Decision latency of each store: one rate-limit decision (token bucket) measured N times in a
 * row after a warm-up, p50/p99 in µs, plus throughput with 64 decisions in flight. memory,
 * redis (a real redis-server started here) and upstash (the REST bridge in front of it) are
 * timed in-process; durable_object and cloudflare_kv run in workerd (Miniflare), timed over
 * HTTP and reported minus a no-op request's latency (workerd's clocks are too coarse inside).
 *   node bench/store-latency.ts [--samples N]
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Miniflare } from 'miniflare'
import { Agent, request } from 'undici'
import { bundleWorker } from '../adapters/cloudflare/bundle.ts'
import { createUpstashBridge } from '../adapters/redis/upstash-bridge.ts'
import { createRedisStore } from '../adapters/redis/redis-store.ts'
import { createUpstashStore } from '../adapters/upstash/upstash-store.ts'
import { createMemoryStore } from '../src/store/memory-store.ts'
import type { Store } from '../src/core/store.ts'
import { startRedisServer } from '../test/helpers/redis-server.ts'

export interface LatencyRow {
  store: string
  where: string
  p50us: number
  p99us: number
  opsPerSec: number | null
}

const rule = { algorithm: 'token_bucket' as const, limit: 1_000_000, rate: 1_000_000, periodMs: 1000 }

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function timeStore(name: string, store: Store, samples: number): Promise<LatencyRow> {
  for (let i = 0; i < Math.min(500, samples); i++) await store.limit(`warm:${i % 10}`, rule)
  const t: number[] = []
  for (let i = 0; i < samples; i++) {
    const s = performance.now()
    await store.limit(`k:${i % 100}`, rule)
    t.push((performance.now() - s) * 1000)
  }
  t.sort((a, b) => a - b)
  const total = samples
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < total) await store.limit(`c:${next++ % 100}`, rule)
    }),
  )
  const opsPerSec = Math.round(total / ((performance.now() - started) / 1000))
  return { store: name, where: 'in-process client', p50us: pct(t, 50), p99us: pct(t, 99), opsPerSec }
}

async function timeWorkerd(samples: number): Promise<LatencyRow[]> {
  const script = await bundleWorker(undefined, join(import.meta.dirname, 'store-worker.ts'))
  const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-01-01', kvNamespaces: ['STORE_KV'], durableObjects: { STORE_DO: 'PorticoStoreObject' } })
  const base = (await mf.ready).origin
  const agent = new Agent({ connections: 1 })
  const measure = async (path: string) => {
    for (let i = 0; i < Math.min(300, samples); i++) await (await request(base + path, { dispatcher: agent })).body.dump()
    const t: number[] = []
    for (let i = 0; i < samples; i++) {
      const s = performance.now()
      await (await request(`${base + path}&k=${i % 100}`, { dispatcher: agent })).body.dump()
      t.push((performance.now() - s) * 1000)
    }
    return t.sort((a, b) => a - b)
  }
  const noop = await measure('/noop?x=1')
  const rows: LatencyRow[] = []
  for (const store of ['durable_object', 'cloudflare_kv']) {
    const t = await measure(`/decide?store=${store === 'cloudflare_kv' ? 'kv' : 'do'}`)
    rows.push({
      store,
      where: 'workerd (Miniflare), HTTP minus no-op',
      p50us: Math.max(0, Math.round(pct(t, 50) - pct(noop, 50))),
      p99us: Math.max(0, Math.round(pct(t, 99) - pct(noop, 99))),
      opsPerSec: null,
    })
  }
  await agent.close()
  await mf.dispose()
  return rows
}

export async function runStoreLatency(samples: number): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = []
  rows.push(await timeStore('memory', createMemoryStore(), samples))
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) {
    const redis = await startRedisServer()
    const r = createRedisStore({ address: redis.url })
    rows.push(await timeStore('redis', r, samples))
    await r.close()
    const bridge = await createUpstashBridge({ redisUrl: redis.url, token: 'bench' })
    rows.push({ ...(await timeStore('upstash', createUpstashStore({ url: bridge.url, token: 'bench' }), samples)), where: 'in-process client → local REST bridge → redis' })
    await bridge.close()
    await redis.stop()
  } else {
    console.log('store latency: redis-server not installed (apt-get install -y redis-server): redis and upstash rows skipped')
  }
  rows.push(...(await timeWorkerd(samples)))
  return rows
}

export function latencyTable(rows: LatencyRow[]): string {
  const lines = ['| store | measured | p50 µs | p99 µs | decisions/s (64 in flight) |', '|---|---|---|---|---|']
  const us = (v: number) => (v < 10 ? v.toFixed(1) : String(Math.round(v)))
  for (const r of rows) lines.push(`| ${r.store} | ${r.where} | ${us(r.p50us)} | ${us(r.p99us)} | ${r.opsPerSec ?? '—'} |`)
  return lines.join('\n')
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { samples: { type: 'string', default: '5000' } } })
  const rows = await runStoreLatency(Number(values.samples))
  console.log(`\n## Store decision latency (one token-bucket decision)\n\n${latencyTable(rows)}`)
}
