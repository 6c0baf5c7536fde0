import { describe, expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import type { Config } from '../../../src/config/types.ts'
import { createGateway } from '../../../src/gateway/gateway.ts'
import type { Logger, Runtime } from '../../../src/core/runtime.ts'
import { quotaWindow } from '../../../src/policies/rate-limit.ts'
import { createMemoryStore } from '../../../src/store/memory-store.ts'
import { type Store, StoreError } from '../../../src/core/store.ts'

function parse(yaml: string) {
  return parseConfig(yaml, 'portico.yaml', { env: {} })
}
function config(yaml: string): Config {
  const r = parse(yaml)
  if (!r.ok) throw new Error(formatIssues(r.issues))
  return r.config
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, access() {} }

function gateway(yaml: string, shared?: Store) {
  const local = createMemoryStore()
  const runtime: Runtime = {
    name: 'node',
    forward: () => Promise.reject(new Error('no upstream in this test')),
    logger: silent,
    now: () => performance.now(),
    stores: { local, shared: shared ?? local },
  }
  const gw = createGateway(config(yaml), runtime)
  return (path: string, headers: Record<string, string> = {}) =>
    gw.fetch(new Request(`http://gw.test${path}`, { headers }), { remoteAddr: '192.0.2.7' })
}

describe('limit config validation', () => {
  test('cloudflare_kv is refused for distributed limits, with the reason and the key path', () => {
    const r = parse('store: { type: cloudflare_kv }\nroutes: [{ id: a, path: /a, echo: true, rate_limit: { rate: 5, mode: distributed } }]')
    expect(r.ok).toBe(false)
    const text = r.ok ? '' : formatIssues(r.issues)
    expect(text).toContain('routes.0.rate_limit.mode')
    expect(text).toContain('eventually')
    // mode: local on KV is fine (each isolate counts for itself).
    expect(parse('store: { type: cloudflare_kv }\nroutes: [{ id: a, path: /a, echo: true, rate_limit: { rate: 5 } }]').ok).toBe(true)
  })

  test('tiers need tier_key, and default_tier must name a tier', () => {
    const r = parse('routes: [{ id: a, path: /a, echo: true, rate_limit: { tiers: { gold: { rate: 9 } }, default_tier: silver } }]')
    const text = r.ok ? '' : formatIssues(r.issues)
    expect(text).toContain('routes.0.rate_limit.tier_key')
    expect(text).toContain('no tier named "silver"')
    expect(parse('routes: [{ id: a, path: /a, echo: true, rate_limit: { period: 1s } }]').ok).toBe(false)
  })

  test('upstash needs url and token; a bad key kind is named', () => {
    expect(parse('store: { type: upstash }').ok).toBe(false)
    const r = parse('routes: [{ id: a, path: /a, echo: true, rate_limit: { rate: 1, key: "query:x" } }]')
    expect(r.ok ? '' : formatIssues(r.issues)).toContain('must be ip, client_id, header:<name>')
  })
})

describe('rate limiting through the gateway', () => {
  test('token bucket: burst, 429 JSON with Retry-After and RateLimit fields, per-key buckets', async () => {
    const send = gateway('routes: [{ id: a, path: /a, echo: true, rate_limit: { rate: 1, period: 1m, burst: 2, key: "header:X-Key" } }]')
    const first = await send('/a', { 'x-key': 'k1' })
    expect(first.status).toBe(200)
    expect(first.headers.get('ratelimit-policy')).toBe('"rate";q=2;w=120')
    expect(first.headers.get('ratelimit')).toMatch(/^"rate";r=1;t=\d+$/)
    expect((await send('/a', { 'x-key': 'k1' })).status).toBe(200)
    const refused = await send('/a', { 'x-key': 'k1' })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(59)
    expect(refused.headers.get('ratelimit')).toMatch(/^"rate";r=0;t=\d+$/)
    const body = (await refused.json()) as { error: { code: string; request_id: string } }
    expect(body.error.code).toBe('rate_limited')
    expect(body.error.request_id).toBe(refused.headers.get('x-request-id'))
    expect((await send('/a', { 'x-key': 'k2' })).status).toBe(200)
    // No header: counted against the client IP, not let through.
    expect((await send('/a')).status).toBe(200)
    expect((await send('/a')).status).toBe(200)
    expect((await send('/a')).status).toBe(429)
  })

  test('tiers pick the rule from tier_key; unknown tiers get default_tier', async () => {
    const send = gateway(
      'routes: [{ id: a, path: /a, echo: true, rate_limit: { period: 1h, key: "header:X-Key", tier_key: "header:X-Plan", default_tier: free, tiers: { free: { rate: 1, burst: 1 }, gold: { rate: 3, burst: 3 } } } }]',
    )
    const codes = async (h: Record<string, string>, n: number) => {
      const out: number[] = []
      for (let i = 0; i < n; i++) out.push((await send('/a', h)).status)
      return out
    }
    expect(await codes({ 'x-key': 'g', 'x-plan': 'gold' }, 4)).toEqual([200, 200, 200, 429])
    expect(await codes({ 'x-key': 'f', 'x-plan': 'platinum' }, 2)).toEqual([200, 429])
  })

  test('global rate_limit applies to routes without their own; a route block overrides it', async () => {
    const send = gateway('rate_limit: { rate: 1, period: 1h, burst: 1 }\nroutes: [{ id: a, path: /a, echo: true }, { id: b, path: /b, echo: true, rate_limit: { rate: 2, period: 1h, burst: 2 } }]')
    expect([(await send('/a')).status, (await send('/a')).status]).toEqual([200, 429])
    expect([(await send('/b')).status, (await send('/b')).status, (await send('/b')).status]).toEqual([200, 200, 429])
  })

  test('store failure: fail_open admits without RateLimit fields, fail_closed answers 503', async () => {
    const down: Store = {
      ...createMemoryStore(),
      kind: 'redis',
      limit: () => Promise.reject(new StoreError('redis', 'limit', 'connection refused')),
    }
    const yaml = (policy: string) => `routes: [{ id: a, path: /a, echo: true, rate_limit: { rate: 1, mode: distributed, failure_policy: ${policy} } }]`
    const open = await gateway(yaml('fail_open'), down)('/a')
    expect(open.status).toBe(200)
    expect(open.headers.get('ratelimit')).toBeNull()
    const closed = await gateway(yaml('fail_closed'), down)('/a')
    expect(closed.status).toBe(503)
    expect(((await closed.json()) as { error: { code: string } }).error.code).toBe('store_unavailable')
  })

  test('spike arrest spaces requests evenly; quota counts per calendar window', async () => {
    const send = gateway('routes: [{ id: s, path: /s, echo: true, spike_arrest: { rate: 2, period: 1s } }, { id: q, path: /q, echo: true, quota: { limit: 2, window: month, key: ip } }]')
    expect((await send('/s')).status).toBe(200)
    const second = await send('/s')
    expect(second.status).toBe(429)
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('spike_arrest')
    // rate 2 per 1s: the next request is admitted 500 ms after the first, not before.
    const refusedAt = Date.now()
    let status = 429
    while (status === 429 && Date.now() - refusedAt < 3000) {
      await new Promise((r) => setTimeout(r, 25))
      status = (await send('/s')).status
    }
    expect(status).toBe(200)
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(400)
    expect([(await send('/q')).status, (await send('/q')).status, (await send('/q')).status]).toEqual([200, 200, 429])
  })
})

describe('helpers', () => {
  test('quota windows are calendar-aligned in UTC (ISO weeks start on Monday)', () => {
    const t = Date.UTC(2026, 10, 23, 15, 36, 7) // Monday 23 Nov 2026
    expect(quotaWindow('hourly', t)).toEqual([Date.UTC(2026, 10, 23, 15), Date.UTC(2026, 10, 23, 16)])
    expect(quotaWindow('daily', t)).toEqual([Date.UTC(2026, 10, 23), Date.UTC(2026, 10, 24)])
    expect(quotaWindow('weekly', t)).toEqual([Date.UTC(2026, 10, 23), Date.UTC(2026, 10, 30)])
    expect(quotaWindow('weekly', Date.UTC(2026, 10, 22, 23))).toEqual([Date.UTC(2026, 10, 16), Date.UTC(2026, 10, 23)])
    expect(quotaWindow('monthly', t)).toEqual([Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)])
    expect(quotaWindow('monthly', Date.UTC(2026, 11, 31, 23))).toEqual([Date.UTC(2026, 11, 1), Date.UTC(2027, 0, 1)])
  })
})
