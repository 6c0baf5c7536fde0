/**
 * The admin dashboard (`GET /ui`) in real headless Chromium against a live gateway started
 * through the CLI: the page asks for the token, refuses a wrong one, lists the routes, follows a
 * backend's active health as the upstream's /health starts failing (and recovers), turns traffic
 * into a request rate and a 5xx rate, shows reload results, and renders server strings as text
 * under its strict CSP. Chromium that cannot start fails the file with the reason, never skips it.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { root, startPortico } from '../conformance/global-setup.ts'

const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium'
const TOKEN = 'dashboard-token-8c1e5a'
const HOSTILE_ID = '<img src=x id=pwned>'

/** What the upstream does with every request, /health included. */
type Mode = 'ok' | 'fail' | 'close'
let mode: Mode = 'ok'
let upstream: Server
let upstreamUrl: string
let gw: ReturnType<typeof startPortico>
let base: string
let adminBase: string
let configFile: string
let browser: Browser
let context: BrowserContext
let page: Page
/** Uncaught page errors and CSP violations: the page must produce none. */
const pageProblems: string[] = []

function answer(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function writeConfig(extraRoutes: string[] = []) {
  writeFileSync(
    configFile,
    [
      'listeners: [{ id: public, address: "127.0.0.1:0" }]',
      // The token arrives through the environment: ${env:X} expansion, as an operator would do it.
      'admin: { address: "127.0.0.1:0", token: "$' + '{env:DASHBOARD_ADMIN_TOKEN}" }',
      'logging: { access_log: false, level: warn }',
      'routes:',
      '  - id: api',
      '    path: /api',
      '    path_prefix: true',
      `    backends: [{ url: "${upstreamUrl}" }]`,
      '    health_check: { path: /health, interval: 200ms, timeout: 300ms, healthy_after: 1, unhealthy_after: 1 }',
      '  - { id: echo, path: /echo, path_prefix: true, echo: true }',
      ...extraRoutes,
    ].join('\n'),
  )
}

const authed = { authorization: `Bearer ${TOKEN}` }

/** Sends requests to the public listener, `concurrency` at a time, for `ms` (a few hundred per second, not a flood). */
async function traffic(paths: string[], ms: number, concurrency = 4): Promise<number> {
  const until = Date.now() + ms
  let sent = 0
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      for (let n = i; Date.now() < until; n++) {
        const res = await fetch(`${base}${paths[n % paths.length]}`)
        await res.arrayBuffer()
        sent++
        await new Promise((r) => setTimeout(r, 10))
      }
    }),
  )
  return sent
}

async function waitForReady() {
  await page.waitForSelector('[data-testid="dashboard"]:not([hidden])', { timeout: 10_000 })
}

beforeAll(async () => {
  // Chromium first: if it cannot start here, say so before anything else is spun up.
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 })
  } catch (err) {
    throw new Error(
      `headless Chromium did not start from ${CHROMIUM} (set PORTICO_CHROMIUM to another binary); the dashboard test needs a real browser and does not skip.\n${(err as Error).message}`,
    )
  }
  upstream = createServer((req, res) => {
    if (mode === 'close') {
      req.socket.destroy()
      return
    }
    if (mode === 'fail') return answer(res, 503, '{"error":"down"}')
    answer(res, 200, JSON.stringify({ path: req.url }))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`

  mkdirSync(join(root, '.test-out'), { recursive: true })
  configFile = join(root, '.test-out', 'dashboard.yaml')
  writeConfig()
  gw = startPortico('node', configFile, { DASHBOARD_ADMIN_TOKEN: TOKEN }, join(root, '.test-out', 'dashboard.log'))
  const ready = await gw.ready
  base = ready.listeners.public!
  adminBase = ready.admin!

  context = await browser.newContext()
  page = await context.newPage()
  page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) pageProblems.push(`csp: ${msg.text()}`)
  })
})

afterAll(async () => {
  await browser?.close()
  await gw?.stop()
  if (upstream !== undefined) {
    upstream.closeAllConnections()
    await new Promise((resolve) => upstream.close(resolve))
  }
})

describe('admin dashboard', () => {
  test('/ui is served without the token under a strict CSP; /ui/data needs the token', async () => {
    const pageRes = await fetch(`${adminBase}/ui`)
    expect(pageRes.status).toBe(200)
    expect(pageRes.headers.get('content-type')).toContain('text/html')
    const csp = pageRes.headers.get('content-security-policy') ?? ''
    for (const directive of ["default-src 'none'", "script-src 'unsafe-inline'", "style-src 'unsafe-inline'", "connect-src 'self'", 'img-src data:']) {
      expect(csp).toContain(directive)
    }
    expect(pageRes.headers.get('x-frame-options')).toBe('DENY')
    const html = await pageRes.text()
    expect(html).not.toContain(upstreamUrl) // the page carries no data
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)

    const anonymous = await fetch(`${adminBase}/ui/data`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer')
    expect((await fetch(`${adminBase}/ui/data`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401)

    const data = await fetch(`${adminBase}/ui/data`, { headers: authed })
    expect(data.status).toBe(200)
    expect(await data.json()).toMatchObject({
      version: expect.any(Number),
      loaded_at: expect.any(String),
      routes: [expect.objectContaining({ id: 'api' }), expect.objectContaining({ id: 'echo' })],
      backends: [expect.objectContaining({ url: upstreamUrl, healthy: expect.any(Boolean) })],
      circuit_breakers: [],
      totals: { requests: expect.any(Number), errors_5xx: expect.any(Number) },
      reload: null,
      time: expect.any(String),
    })
  })

  test('the page asks for the token, refuses a wrong one, then lists both routes and the healthy backend', async () => {
    await page.goto(`${adminBase}/ui`)
    const prompt = page.getByTestId('token-prompt')
    await prompt.waitFor({ state: 'visible', timeout: 10_000 })
    expect(await page.getByTestId('dashboard').isHidden()).toBe(true)

    await page.getByTestId('token-input').fill('not-the-token')
    await page.getByTestId('token-submit').click()
    await page.getByTestId('auth-error').waitFor({ state: 'visible', timeout: 10_000 })
    expect(await page.getByTestId('auth-error').textContent()).toContain('refused')
    expect(await prompt.isVisible()).toBe(true)
    expect(await page.evaluate(() => sessionStorage.getItem('portico.admin.token'))).toBeNull()

    await page.getByTestId('token-input').fill(TOKEN)
    await page.getByTestId('token-submit').click()
    await waitForReady()
    expect(await prompt.isHidden()).toBe(true)
    expect(await page.getByTestId('route-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-route')))).toEqual(['api', 'echo'])
    expect(await page.locator('[data-testid="route-row"][data-route="api"]').textContent()).toContain('/api')
    await page.waitForSelector(`[data-testid="backend-row"][data-url="${upstreamUrl}"][data-health="healthy"]`, { timeout: 8_000 })
    expect(await page.getByTestId('reload').getAttribute('data-result')).toBe('none')

    // The token lives in this tab's sessionStorage: a reload of the page needs no new prompt.
    await page.reload()
    await waitForReady()
    expect(await prompt.isHidden()).toBe(true)
  })

  test('traffic shows up as a request rate, a latency and a chart', async () => {
    await waitForReady()
    const done = traffic(['/echo/a', '/api/b'], 5_000)
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="rps"]')?.getAttribute('data-value')) > 0, null, { timeout: 10_000, polling: 200 })
    const sent = await done
    expect(sent).toBeGreaterThan(0)
    expect(Number(await page.getByTestId('rps').textContent())).toBeGreaterThan(0)
    expect(Number(await page.getByTestId('rps-chart').getAttribute('data-points'))).toBeGreaterThan(0)
    expect(Number(await page.getByTestId('rps-chart').getAttribute('data-max'))).toBeGreaterThan(0)
    expect(await page.locator('[data-testid="rps-chart"] polyline').count()).toBe(1)
    // Latency: the proxied route's EWMA, in ms, once requests went through it.
    await page.waitForFunction(() => /\d ms$/.test(document.querySelector('[data-testid="backend-latency"]')?.textContent ?? ''), null, { timeout: 6_000 })
    // Totals are the server's counters: after the next poll they include every request sent.
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="total-requests"]')?.textContent) >= n, sent, { timeout: 6_000 })
  })

  test('a failing /health turns the backend unhealthy within seconds, 5xx show as an error rate, and it recovers', async () => {
    mode = 'fail'
    await page.waitForSelector(`[data-testid="backend-row"][data-url="${upstreamUrl}"][data-health="unhealthy"]`, { timeout: 8_000 })
    expect(await page.getByTestId('backend-health').textContent()).toBe('unhealthy')

    // Proxied requests now fail (no healthy backend, or the upstream's 503): both are 5xx.
    const done = traffic(['/api/x'], 5_000)
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="error-rate"]')?.getAttribute('data-value')) > 0, null, { timeout: 10_000, polling: 200 })
    await done
    expect(Number(await page.getByTestId('total-errors').textContent())).toBeGreaterThan(0)
    expect(Number(await page.getByTestId('error-chart').getAttribute('data-max'))).toBeGreaterThan(0)

    // A health check whose connection is dropped is a failure too; recovery is picked up as well.
    mode = 'close'
    await page.waitForSelector(`[data-testid="backend-row"][data-url="${upstreamUrl}"][data-health="unhealthy"]`, { timeout: 8_000 })
    mode = 'ok'
    await page.waitForSelector(`[data-testid="backend-row"][data-url="${upstreamUrl}"][data-health="healthy"]`, { timeout: 8_000 })
  })

  test('reload results are shown, and server strings are rendered as text', async () => {
    writeConfig([`  - { id: ${JSON.stringify(HOSTILE_ID)}, path: /hostile, echo: true }`])
    const ok = await fetch(`${adminBase}/reload`, { method: 'POST', headers: authed })
    expect(ok.status).toBe(200)
    await page.waitForSelector('[data-testid="reload"][data-result="ok"]', { timeout: 8_000 })
    const hostile = page.locator('[data-testid="route-row"]').nth(2)
    await hostile.waitFor({ timeout: 8_000 })
    expect(await hostile.getAttribute('data-route')).toBe(HOSTILE_ID)
    expect(await hostile.textContent()).toContain(HOSTILE_ID)
    expect(await page.locator('#pwned').count()).toBe(0)
    expect(await page.locator('main img').count()).toBe(0)

    writeFileSync(configFile, 'routes:\n  - { id: broken, path: no-leading-slash, echo: true }\n')
    const rejected = await fetch(`${adminBase}/reload`, { method: 'POST', headers: authed })
    expect(rejected.status).toBe(422)
    await page.waitForSelector('[data-testid="reload"][data-result="failed"]', { timeout: 8_000 })
    const reloadText = await page.getByTestId('reload').textContent()
    expect(reloadText).toContain('rejected')
    expect(reloadText).toContain('dashboard.yaml')
    // The running config was kept: the hostile route is still listed.
    expect(await page.getByTestId('route-row').count()).toBe(3)
  })

  test('a token that stops working sends the page back to the prompt', async () => {
    await page.evaluate(() => sessionStorage.setItem('portico.admin.token', 'revoked-token'))
    await page.getByTestId('token-prompt').waitFor({ state: 'visible', timeout: 8_000 })
    expect(await page.getByTestId('auth-error').textContent()).toContain('refused')
    expect(await page.getByTestId('dashboard').isHidden()).toBe(true)
  })

  test('the page ran without script errors or CSP violations', () => {
    expect(pageProblems).toEqual([])
  })
})
