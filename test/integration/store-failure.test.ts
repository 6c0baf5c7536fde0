/**
 * A live gateway whose Redis is down: fail_open routes keep serving without RateLimit fields,
 * fail_closed routes answer 503, /readyz reports the store (require_redis), failures are
 * counted — and once Redis comes up on that address, limits apply again with no restart.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { root, startPortico } from '../conformance/global-setup.ts'
import { freePort } from '../helpers/redis-server.ts'

let port: number
let gw: ReturnType<typeof startPortico>
let base: string
let adminBase: string
let redis: ChildProcess | null = null

beforeAll(async () => {
  port = await freePort()
  const file = join(root, '.test-out', 'store-failure.yaml')
  writeFileSync(
    file,
    [
      'listeners: [{ id: public, address: "127.0.0.1:0" }]',
      'admin: { address: "127.0.0.1:0", readiness: { require_redis: true } }',
      'logging: { access_log: false, level: warn }',
      `store: { type: redis, timeout: 150ms }`,
      `redis: { address: "127.0.0.1:${port}" }`,
      'routes:',
      '  - { id: open, path: /open, echo: true, rate_limit: { rate: 1, period: 1h, burst: 2, mode: distributed } }',
      '  - { id: closed, path: /closed, echo: true, rate_limit: { rate: 1, period: 1h, burst: 2, mode: distributed, failure_policy: fail_closed } }',
    ].join('\n'),
  )
  gw = startPortico('node', file, {}, join(root, '.test-out', 'store-failure.log'))
  const ready = await gw.ready
  base = ready.listeners.public!
  adminBase = ready.admin!
})

afterAll(async () => {
  await gw?.stop()
  redis?.kill('SIGTERM')
})

it('keeps serving while Redis is down, by failure policy, and recovers when it comes up', async () => {
  const open = await fetch(`${base}/open`)
  expect(open.status).toBe(200)
  expect(open.headers.get('ratelimit')).toBeNull()
  const closed = await fetch(`${base}/closed`)
  expect(closed.status).toBe(503)
  expect(((await closed.json()) as { error: { code: string } }).error.code).toBe('store_unavailable')
  const notReady = await fetch(`${adminBase}/readyz`)
  expect(notReady.status).toBe(503)
  expect(((await notReady.json()) as { store: string }).store).toBe('unreachable')
  const metrics = await (await fetch(`${adminBase}/metrics`)).text()
  expect(metrics).toMatch(/portico_store_errors_total\{store="redis",op="limit"\} [1-9]/)
  expect(readFileSync(join(root, '.test-out', 'store-failure.log'), 'utf8')).toContain('store call failed; the failure policy applies')

  redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  let status = 0
  for (let i = 0; i < 60 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100))
    status = (await fetch(`${adminBase}/readyz`)).status
  }
  expect(status).toBe(200)
  const codes: number[] = []
  for (let i = 0; i < 3; i++) codes.push((await fetch(`${base}/closed`)).status)
  expect(codes).toEqual([200, 200, 429])
  const limits = (await (await fetch(`${adminBase}/rate-limits`)).json()) as { store: string; routes: { route: string }[] }
  expect(limits.store).toBe('redis')
  expect(limits.routes.map((r) => r.route)).toEqual(['open', 'closed'])
})
