import { describe, expect, test } from 'vitest'
import { admin, base } from './client.ts'

const C = (await import('vitest')).inject('upC')
const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
let n = 0
const freshKey = () => `${run}-${n++}`

async function send(path: string, headers: Record<string, string>) {
  const res = await fetch(base + path, { headers })
  const body = await res.text()
  return { res, status: res.status, body }
}

async function statuses(path: string, headers: Record<string, string>, count: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push((await send(path, headers)).status)
  return out
}

async function hitsOfC(reset = false): Promise<number> {
  const r = await fetch(`${C}/__control${reset ? '?reset=1' : ''}`)
  return ((await r.json()) as { hits: number }).hits
}

describe('rate limiting', () => {
  test('token bucket on a proxied route: burst passes, then 429 JSON with Retry-After and RateLimit fields; refused requests never reach the upstream', async () => {
    await hitsOfC(true)
    const h = { 'x-rl-key': freshKey() }
    const first = await send('/rl/bucket/ok', h)
    expect(first.status).toBe(200)
    expect(first.res.headers.get('ratelimit-policy')).toBe('"rate";q=3;w=10800')
    expect(first.res.headers.get('ratelimit')).toMatch(/^"rate";r=2;t=\d+$/)
    expect(await statuses('/rl/bucket/ok', h, 2)).toEqual([200, 200])
    const refused = await send('/rl/bucket/ok', h)
    expect(refused.status).toBe(429)
    expect(refused.res.headers.get('content-type')).toContain('application/json')
    const retryAfter = Number(refused.res.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(3500)
    expect(retryAfter).toBeLessThanOrEqual(3600)
    expect(refused.res.headers.get('ratelimit')).toMatch(/^"rate";r=0;t=\d+$/)
    const body = JSON.parse(refused.body) as { error: { status: number; code: string; request_id: string } }
    expect(body.error).toMatchObject({ status: 429, code: 'rate_limited' })
    expect(body.error.request_id).toBe(refused.res.headers.get('x-request-id'))
    expect(await hitsOfC()).toBe(3)
    // Another key has its own bucket.
    expect((await send('/rl/bucket/ok', { 'x-rl-key': freshKey() })).status).toBe(200)
  })

  test('sliding window: limit per window', async () => {
    const h = { 'x-rl-key': freshKey() }
    expect(await statuses('/rl/window', h, 4)).toEqual([200, 200, 200, 429])
  })

  test('gcra keyed by cookie: burst of 2, then one more every 500 ms', async () => {
    const h = { cookie: `theme=dark; session=${freshKey()}` }
    expect(await statuses('/rl/gcra', h, 3)).toEqual([200, 200, 429])
    await new Promise((r) => setTimeout(r, 600))
    expect(await statuses('/rl/gcra', h, 1)).toEqual([200])
  })

  test('tiers: the plan header picks the rule, unknown plans get default_tier', async () => {
    expect(await statuses('/rl/tiers', { 'x-rl-key': freshKey(), 'x-plan': 'gold' }, 4)).toEqual([200, 200, 200, 429])
    expect(await statuses('/rl/tiers', { 'x-rl-key': freshKey(), 'x-plan': 'bogus' }, 2)).toEqual([200, 429])
  })

  test('spike arrest spaces requests evenly (2/s = one per 500 ms)', async () => {
    const h = { 'x-rl-key': freshKey() }
    const [a, b] = await statuses('/rl/spike', h, 2)
    expect([a, b]).toEqual([200, 429])
    const refused = await send('/rl/spike', h)
    expect((JSON.parse(refused.body) as { error: { code: string } }).error.code).toBe('spike_arrest')
    await new Promise((r) => setTimeout(r, 600))
    expect(await statuses('/rl/spike', h, 1)).toEqual([200])
  })

  test('quota: a daily allowance, with the window in RateLimit-Policy', async () => {
    const h = { 'x-rl-key': freshKey() }
    const ok = await send('/rl/quota', h)
    expect(ok.res.headers.get('ratelimit-policy')).toBe('"quota";q=2;w=86400')
    expect(await statuses('/rl/quota', h, 2)).toEqual([200, 429])
    const refused = await send('/rl/quota', h)
    expect(Number(refused.res.headers.get('retry-after'))).toBeLessThanOrEqual(86400)
    expect((JSON.parse(refused.body) as { error: { code: string } }).error.code).toBe('quota_exceeded')
  })

  test('rejections are counted in portico_rate_limit_rejects_total', async () => {
    const h = { 'x-rl-key': freshKey() }
    await statuses('/rl/window', h, 5)
    const text = await (await admin('/metrics')).text()
    const line = text.split('\n').find((l) => l.startsWith('portico_rate_limit_rejects_total{route="rl-window",policy="rate"}'))
    expect(line).toBeDefined()
    expect(Number(line!.split(' ').pop())).toBeGreaterThanOrEqual(2)
  })
})
