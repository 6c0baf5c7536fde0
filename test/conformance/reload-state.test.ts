/**
 * Upstream state outlives a config version: after a reload that keeps a backend it stays
 * unhealthy or ejected and keeps its latency EWMA; a route whose `circuit_breaker` block is
 * unchanged keeps an open circuit open, a changed block starts closed; a backend the new config
 * drops is gone from /backends.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { root, startPortico } from './global-setup.ts'
import { runtime, testOn } from './skips.ts'

const TOKEN = 'reload-state-token'
const auth = { authorization: `Bearer ${TOKEN}` }

interface Backend {
  ewma_ms: number
  healthy: boolean
  ejected_until: string | null
  route?: string
  url: string
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)))
}

/** `/health` answers `health.status`; everything else 200. */
async function upstream(health: { status: number }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/health' ? health.status : 200, { 'content-type': 'text/plain' })
    res.end('ok')
  })
  return { url: await listen(server), server }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function config(up: { healthy: string; sick: string; dead: string }, version: 1 | 2): string {
  const breaker = (threshold: number) => `{ enabled: true, failure_threshold: ${threshold}, timeout: 10m }`
  return [
    'listeners: [{ id: public, address: "127.0.0.1:0" }]',
    `admin: { address: "127.0.0.1:0", token: ${TOKEN} }`,
    'logging: { access_log: false }',
    'routes:',
    // The only check round that runs is the first (interval 1h): `sick` fails it, then its
    // /health recovers; a reload that restarted the round or forgot the verdict would show it healthy.
    `  - { id: checked, path: /checked, backends: [{ url: "${up.healthy}" }, { url: "${up.sick}" }], health_check: { path: /health, interval: 1h, timeout: 2s, unhealthy_after: 1, healthy_after: 2 } }`,
    `  - { id: ejecting, path: /ejecting, backends: [{ url: "${up.healthy}" }, { url: "${up.dead}" }], outlier_detection: { consecutive_errors: 1, base_ejection_time: 10m, max_ejection_time: 10m, max_ejection_percent: 50 } }`,
    `  - { id: timed, path: /timed, backends: [{ url: "${up.healthy}" }] }`,
    `  - { id: kept, path: /kept, backends: [{ url: "${up.healthy}" }], circuit_breaker: ${breaker(5)} }`,
    `  - { id: changed, path: /changed, backends: [{ url: "${up.healthy}" }], circuit_breaker: ${breaker(version === 1 ? 5 : 6)} }`,
    `  - { id: trimmed, path: /trimmed, backends: [{ url: "${up.healthy}" }${version === 1 ? `, { url: "${up.healthy}/extra" }` : ''}] }`,
    ...(version === 2 ? ['  - { id: added, path: /added, echo: true }'] : []),
  ].join('\n')
}

describe('reload keeps upstream state', () => {
  testOn('reload', 'health verdicts, ejections, EWMA and unchanged circuit breakers survive a reload; dropped backends and changed breakers do not', async () => {
    const health = { status: 503 }
    const healthy = await upstream({ status: 200 })
    const sick = await upstream(health)
    const gone = createServer()
    const dead = await listen(gone)
    await new Promise((r) => gone.close(r)) // nothing listens there now: connections are refused
    const up = { healthy: healthy.url, sick: sick.url, dead }
    const file = join(mkdtempSync(join(tmpdir(), 'portico-reload-state-')), 'portico.yaml')
    writeFileSync(file, config(up, 1))
    const p = startPortico(runtime, file, {}, join(root, `.test-out/reload-state-${runtime}.log`))
    try {
      const { listeners, admin } = await p.ready
      const base = listeners.public
      const backends = async (): Promise<Backend[]> => (await (await fetch(`${admin}/backends`, { headers: auth })).json()).backends
      const find = (list: Backend[], route: string, url: string) => list.find((b) => b.route === route && b.url === url)
      const circuits = async (): Promise<Record<string, string>> => {
        const { circuit_breakers } = await (await fetch(`${admin}/circuit-breakers`, { headers: auth })).json()
        return Object.fromEntries(circuit_breakers.map((b: { route: string; state: string }) => [b.route, b.state]))
      }

      await until('the sick backend to fail its check', async () => ((find(await backends(), 'checked', up.sick)?.healthy === false) ? true : undefined))
      health.status = 200 // from now on its checks would pass, but none runs within the hour
      await until('the dead backend to be ejected', async () => {
        await (await fetch(`${base}/ejecting`)).arrayBuffer()
        return find(await backends(), 'ejecting', up.dead)?.ejected_until ? true : undefined
      })
      for (let i = 0; i < 3; i++) expect((await fetch(`${base}/timed`)).status).toBe(200)
      for (const route of ['kept', 'changed']) {
        expect((await fetch(`${admin}/circuit-breakers/${route}/open`, { method: 'POST', headers: auth })).status).toBe(200)
      }
      const before = await backends()
      const ewma = find(before, 'timed', up.healthy)!.ewma_ms
      expect(ewma).toBeGreaterThan(0)
      expect(find(before, 'trimmed', `${up.healthy}/extra`)).toBeDefined()
      expect(await circuits()).toMatchObject({ kept: 'open', changed: 'open' })

      writeFileSync(file, config(up, 2))
      const reload = await fetch(`${admin}/reload`, { method: 'POST', headers: auth })
      expect(await reload.json()).toMatchObject({ ok: true, version: 2 })
      expect((await fetch(`${base}/added`)).status).toBe(200)

      const after = await backends()
      expect(find(after, 'checked', up.sick)?.healthy).toBe(false)
      expect(find(after, 'checked', up.healthy)?.healthy).toBe(true)
      expect(find(after, 'ejecting', up.dead)?.ejected_until).not.toBeNull()
      expect(find(after, 'timed', up.healthy)?.ewma_ms).toBe(ewma)
      expect(find(after, 'trimmed', `${up.healthy}/extra`)).toBeUndefined()
      expect(find(after, 'trimmed', up.healthy)).toBeDefined()
      expect(await circuits()).toMatchObject({ kept: 'open', changed: 'closed' })
      const refused = await fetch(`${base}/kept`)
      expect(refused.status).toBe(503)
      expect((await refused.json()).error.code).toBe('circuit_open')
      expect((await fetch(`${base}/changed`)).status).toBe(200)
      for (let i = 0; i < 4; i++) expect((await fetch(`${base}/checked`)).status).toBe(200) // only the healthy one serves
    } finally {
      healthy.server.closeAllConnections()
      sick.server.closeAllConnections()
      await Promise.all([healthy.server, sick.server].map((s) => new Promise((r) => s.close(r))))
      expect(await p.stop()).toBe(0)
    }
  })
})
