import { describe, expect, test, vi } from 'vitest'
import { admin, expectErrorShape, getJson } from './client.ts'
import { testOn } from './skips.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('health', () => {
  test('a dead backend stops receiving traffic (active checks, or passive ejection where no timers run)', async () => {
    // Active checks (200 ms interval) take it out within a few rounds; where checks do not run,
    // the warm-up requests eject it passively.
    await vi.waitFor(async () => {
      for (let i = 0; i < 4; i++) await getJson('/checked/warm')
      const servers: (string | number)[] = []
      for (let i = 0; i < 10; i++) {
        const { res, json } = await getJson('/checked/x')
        servers.push(res.status === 200 ? json.server : res.status)
      }
      expect(servers).toEqual(new Array(10).fill('A'))
    }, { timeout: 5000, interval: 50 })
  })

  testOn('activeChecks', 'when every backend is unhealthy: 503 no_healthy_backend with Retry-After', async () => {
    let last: Awaited<ReturnType<typeof getJson>> | null = null
    for (let i = 0; i < 30; i++) {
      last = await getJson('/all-dead/x')
      if (last.res.status === 503) break
      await sleep(100)
    }
    expect(last!.res.status).toBe(503)
    expect(last!.res.headers.get('retry-after')).toBe('5')
    expectErrorShape(last!.json, 503, 'no_healthy_backend')
  })

  testOn('activeChecks', 'GET /backends shows the health verdict per backend', async () => {
    const { backends } = await (await admin('/backends')).json()
    const checked = backends.filter((b: { upstream?: string }) => b.upstream === 'checked')
    expect(checked.map((b: { healthy: boolean }) => b.healthy).sort()).toEqual([false, true])
  })

  testOn('activeChecks', 'a TCP probe (health_check.type: tcp) judges by connecting: the refusing port is out, A is in', async () => {
    await vi.waitFor(async () => {
      const { backends } = await (await admin('/backends')).json()
      const tcp = backends.filter((b: { upstream?: string }) => b.upstream === 'tcp-checked')
      expect(tcp.map((b: { healthy: boolean }) => b.healthy).sort()).toEqual([false, true])
    }, { timeout: 5000, interval: 100 })
    for (let i = 0; i < 6; i++) {
      const { res, json } = await getJson('/tcp-checked/x')
      expect([res.status, json.server]).toEqual([200, 'A'])
    }
  })

  test('readiness holds while at least min_healthy_backends can take traffic', async () => {
    const res = await admin('/readyz')
    expect(res.status).toBe(200)
    expect((await res.json()).healthy_backends).toBeGreaterThanOrEqual(1)
  })
})
