/**
 * `logging.format` as Runway's access-log template, through a live gateway of its own (the
 * suite's gateway keeps JSON lines, access-log.test.ts): the line written for a request is the
 * template with its `$variables` filled in, one line per request, on every runtime.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { root, startPortico } from './global-setup.ts'
import { runtime } from './skips.ts'

const FORMAT = 'ACCESS $request_id $remote_addr "$request_method $request_uri" $status $body_bytes_sent $route_id $upstream_addr $upstream_status "$http_user_agent" [$arg_q] $response_time'
const logFile = join(root, `.test-out/access-format-${runtime}.log`)
let gateway: ReturnType<typeof startPortico> | null = null
let base = ''

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'portico-access-format-')), 'portico.yaml')
  const config = [
    'listeners: [{ id: public, address: "127.0.0.1:0" }]',
    'admin: { enabled: false }',
    `logging: { format: '${FORMAT}' }`,
    'routes:',
    `  - { id: up, path: /up, path_prefix: true, strip_prefix: true, backends: [{ url: "${inject('upA')}" }] }`,
  ].join('\n')
  writeFileSync(file, config)
  gateway = startPortico(runtime, file, {}, logFile)
  base = (await gateway.ready).listeners.public
})

afterAll(async () => {
  if (gateway !== null) expect(await gateway.stop()).toBe(0)
})

/** The access line of request `id`, polled for until `deadline` (lines are written after the body). */
async function lineOf(id: string): Promise<string[]> {
  const deadline = Date.now() + 5000
  for (;;) {
    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes(`ACCESS ${id} `))
      .map((l) => l.slice(l.indexOf('ACCESS ')))
    if (lines.length > 0 || Date.now() > deadline) return lines
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('access log with a logging.format template', () => {
  test('a proxied request: its line is the template filled in, once', async () => {
    const id = `fmt-${Date.now()}`
    const res = await fetch(`${base}/up/logged?q=1`, { headers: { 'x-request-id': id, 'user-agent': 'conformance "agent"' } })
    const body = await res.arrayBuffer()
    expect(res.status).toBe(200)
    const lines = await lineOf(id)
    expect(lines).toHaveLength(1)
    const upstream = inject('upA')
    const escaped = 'conformance \\x22agent\\x22'
    const re = new RegExp(`^ACCESS ${id} 127\\.0\\.0\\.1 "GET /up/logged\\?q=1" 200 (\\d+) up ${upstream.replace(/[.]/g, '\\.')} 200 "${escaped.replace(/\\/g, '\\\\')}" \\[1\\] (\\d+\\.\\d{3})$`)
    const m = lines[0].match(re)
    expect(m, lines[0]).not.toBeNull()
    expect(Number(m![1])).toBe(body.byteLength)
  })

  test('a request no route matched: empty route and upstream, upstream status 0, its own status', async () => {
    const id = `fmt-404-${Date.now()}`
    await (await fetch(`${base}/nowhere`, { headers: { 'x-request-id': id, 'user-agent': 'ua' } })).arrayBuffer()
    const lines = await lineOf(id)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^ACCESS ${id} 127\\.0\\.0\\.1 "GET /nowhere" 404 \\d+   0 "ua" \\[\\] \\d+\\.\\d{3}$`))
  })
})
