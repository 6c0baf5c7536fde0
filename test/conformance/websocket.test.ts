/**
 * WebSocket through Portico (docs/protocols.md): a `ws` client, the fixture upstreams' `ws`
 * servers (fixtures/ws-upstream.ts), and the routes at the end of portico.yaml. Black-box: the
 * upstream's own counters (GET /__ws) say what reached it and what is still open.
 */
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { describe, expect } from 'vitest'
import { inject } from 'vitest'
import { WebSocket } from 'ws'
import { patternBytes } from '../fixtures/http-util.ts'
import { base, expectErrorShape } from './client.ts'
import { testOn } from './skips.ts'

const upA = inject('upA')
const wsBase = base.replace(/^http/, 'ws')
const CONF_API_KEY = 'conformance-key-acme-7d41c0'

interface Stats {
  handshakes: number
  open: number
  lastHeaders: Record<string, string> | null
}
const upstreamStats = async (): Promise<Stats> => (await fetch(`${upA}/__ws`)).json() as Promise<Stats>

/** Waits until the connections of earlier tests are closed upstream: a count then means this test's. */
async function quietUpstream(): Promise<void> {
  await until(async () => (await upstreamStats()).open === 0, 5000, 'earlier connections closed upstream')
}

/** Polls `check` until it holds or `ms` passes; returns the time it took. */
async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<number> {
  const start = Date.now()
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
  return Date.now() - start
}

function open(path: string, protocols?: string[], headers?: Record<string, string>): Promise<WebSocket> {
  const ws = new WebSocket(wsBase + path, protocols, { headers, perMessageDeflate: true, maxPayload: 64 * 1024 * 1024 })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer, binary: boolean) => resolve({ data, binary }))
    ws.once('close', () => reject(new Error('closed before a message')))
  })
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })))
}

/** A handshake by hand: the status, fields and body of an answer that is not a 101 (null on 101). */
function handshake(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string } | null> {
  const u = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: u.hostname,
      port: u.port,
      path,
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    })
    req.on('upgrade', (_res, socket) => {
      socket.destroy()
      resolve(null)
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('websocket', () => {
  testOn('websocket', 'text and binary messages are echoed as sent (text stays text)', async () => {
    const ws = await open('/ws/echo')
    try {
      ws.send('hello, portico')
      const text = await nextMessage(ws)
      expect(text.binary).toBe(false)
      expect(text.data.toString()).toBe('hello, portico')
      const bytes = patternBytes(70_000)
      ws.send(bytes)
      const bin = await nextMessage(ws)
      expect(bin.binary).toBe(true)
      expect(Buffer.compare(bin.data, bytes)).toBe(0)
    } finally {
      ws.terminate()
    }
  })

  testOn('websocket', 'a 16 MiB binary message passes intact', async () => {
    const ws = await open('/ws/echo')
    try {
      const big = patternBytes(16 * 1024 * 1024)
      ws.send(big)
      const back = await nextMessage(ws)
      expect(back.data.length).toBe(big.length)
      expect(Buffer.compare(back.data, big)).toBe(0)
    } finally {
      ws.terminate()
    }
  }, 30_000)

  testOn('websocket', 'subprotocol offer `chat.v1,chat.v2` (no space) and permessage-deflate reach the upstream and its choice the client', async () => {
    const ws = await open('/ws/echo', ['chat.v1', 'chat.v2'], { 'x-custom': 'kept', cookie: 'c=1' })
    try {
      expect(ws.protocol).toBe('chat.v2')
      expect(ws.extensions).toContain('permessage-deflate')
      const seen = (await upstreamStats()).lastHeaders!
      expect(seen['sec-websocket-protocol']).toBe('chat.v1,chat.v2')
      expect(seen['x-custom']).toBe('kept')
      expect(seen.cookie).toBe('c=1')
      expect(seen.upgrade).toBe('websocket')
      expect(String(seen.connection).toLowerCase()).toBe('upgrade')
      expect(seen['x-forwarded-for']).toBeDefined()
    } finally {
      ws.terminate()
    }
  })

  testOn('websocket', 'close codes and reasons pass from the upstream to the client', async () => {
    for (const code of [1000, 1003, 1008, 1011, 3000, 4001, 4999]) {
      const ws = await open('/ws/echo')
      const end = closed(ws)
      ws.send(`close:${code}:bye-from-upstream-${code}`)
      expect(await end).toEqual({ code, reason: `bye-from-upstream-${code}` })
    }
  })

  testOn('websocket', 'close codes and reasons pass from the client to the upstream (its echo comes back)', async () => {
    for (const code of [1000, 1001, 3001, 4002, 4999]) {
      const ws = await open('/ws/echo')
      const end = closed(ws)
      ws.close(code, `bye-from-client-${code}`)
      // ws echoes the code and reason of the close frame it received (RFC 6455 §5.5.1).
      expect(await end).toEqual({ code, reason: `bye-from-client-${code}` })
    }
  })

  testOn('websocket', 'a request without Upgrade on a websocket route is proxied as usual', async () => {
    const res = await fetch(`${base}/ws/plain`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { server: string }).server).toBe('A')
  })

  testOn('websocket', 'a refused handshake (auth, ip_filter, origin) gets the JSON error and never reaches the upstream', async () => {
    const before = (await upstreamStats()).handshakes
    const noKey = await handshake('/wsk/ws/echo')
    expect(noKey?.status).toBe(401)
    expectErrorShape(JSON.parse(noKey!.body), 401)
    const denied = await handshake('/wsd/ws/echo')
    expect(denied?.status).toBe(403)
    expectErrorShape(JSON.parse(denied!.body), 403)
    const foreign = await handshake('/wso/ws/echo', { origin: 'https://evil.example' })
    expect(foreign?.status).toBe(403)
    expectErrorShape(JSON.parse(foreign!.body), 403, 'origin_not_allowed')
    expect((await upstreamStats()).handshakes).toBe(before)
    // The same routes switch when the policies agree.
    const keyed = await open('/wsk/ws/echo', undefined, { 'x-api-key': CONF_API_KEY })
    keyed.terminate()
    const friendly = await open('/wso/ws/echo', undefined, { origin: 'https://app.example' })
    friendly.terminate()
    expect((await upstreamStats()).handshakes).toBe(before + 2)
  })

  testOn('websocket', 'an upstream that refuses the handshake: its answer is relayed as an HTTP response', async () => {
    const answer = await handshake('/ws/refuse')
    expect(answer?.status).toBe(403)
    expect(answer?.headers['x-refused-by']).toBe('upstream')
    expect(JSON.parse(answer!.body)).toEqual({ refused: true })
  })

  testOn('websocket', 'a dead upstream is a 502; with another endpoint the failed connect is tried there', async () => {
    const dead = await handshake('/wsx/ws/echo')
    expect(dead?.status).toBe(502)
    expectErrorShape(JSON.parse(dead!.body), 502)
    // Round robin over [dead, A]: every handshake switches, whichever endpoint comes first.
    for (let i = 0; i < 4; i++) (await open('/wsf/ws/echo')).terminate()
  })

  testOn('websocketTimers', 'read_timeout closes an idle connection; max_lifetime closes a busy one', async () => {
    const idle = await open('/wsi/ws/echo')
    const started = Date.now()
    await closed(idle)
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect(Date.now() - started).toBeLessThan(3000)
    const busy = await open('/wsl/ws/echo')
    const t0 = Date.now()
    const timer = setInterval(() => busy.readyState === WebSocket.OPEN && busy.send('tick'), 50)
    try {
      await closed(busy)
    } finally {
      clearInterval(timer)
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500)
    expect(Date.now() - t0).toBeLessThan(3000)
  })

  testOn('websocket', 'a client that drops closes the upstream within a second, and the other way round', async () => {
    await quietUpstream()
    const baseline = 0
    const ws = await open('/ws/echo')
    await until(async () => (await upstreamStats()).open === baseline + 1, 2000, 'upstream sees the connection')
    ws.terminate()
    const took = await until(async () => (await upstreamStats()).open === baseline, 1000, 'upstream connection closed')
    expect(took).toBeLessThan(1000)
    const other = await open('/ws/echo')
    const end = closed(other)
    const t0 = Date.now()
    other.send('drop')
    expect((await end).code).toBe(1006)
    expect(Date.now() - t0).toBeLessThan(1000)
  })

  testOn('websocket', 'no socket is left open upstream after 100 open/close cycles', async () => {
    await quietUpstream()
    const baseline = 0
    for (let i = 0; i < 100; i++) {
      const ws = await open('/ws/echo')
      const end = closed(ws)
      if (i % 2 === 0) ws.close(1000, 'done')
      else ws.terminate()
      await end
    }
    await until(async () => (await upstreamStats()).open === baseline, 2000, `upstream back to ${baseline} open connections`)
  }, 30_000)

  testOn('websocket', '200 concurrent connections each echo 100 messages', async () => {
    const conns = await Promise.all(Array.from({ length: 200 }, () => open('/ws/echo')))
    try {
      await Promise.all(
        conns.map(
          (ws, c) =>
            new Promise<void>((resolve, reject) => {
              let got = 0
              ws.on('message', (data: Buffer) => {
                if (data.toString() !== `${c}:${got}`) reject(new Error(`connection ${c}: got ${data} for message ${got}`))
                if (++got === 100) resolve()
              })
              ws.once('close', () => reject(new Error(`connection ${c} closed after ${got} messages`)))
              for (let i = 0; i < 100; i++) ws.send(`${c}:${i}`)
            }),
        ),
      )
    } finally {
      for (const ws of conns) ws.terminate()
    }
  }, 60_000)

  testOn('websocketClose', 'one access-log line per connection, written at its close, with status 101 and its duration', async () => {
    const id = `ws-log-${Date.now()}`
    const ws = await open('/ws/echo', undefined, { 'x-request-id': id })
    ws.send('x'.repeat(1000))
    await nextMessage(ws)
    await new Promise((r) => setTimeout(r, 200))
    const lines = () =>
      readFileSync(inject('logFile'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"msg":"access"') && l.includes(id))
        .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>)
    expect(lines()).toHaveLength(0)
    const end = closed(ws)
    ws.close(1000)
    await end
    await until(() => lines().length === 1, 2000, 'the access line')
    const line = lines()[0]
    expect(line).toMatchObject({ status: 101, route: 'ws', path: '/ws/echo', upstream: upA })
    expect(line.duration_ms as number).toBeGreaterThanOrEqual(200)
    expect(line.bytes as number).toBeGreaterThan(0)
  })
})
