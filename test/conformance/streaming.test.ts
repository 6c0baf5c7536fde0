import { request as httpRequest } from 'node:http'
import { describe, expect, inject, test } from 'vitest'
import { patternBytes } from '../fixtures/upstreams.ts'
import { base, getJson } from './client.ts'
import { testOn } from './skips.ts'

const upA = inject('upA')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function readChunks(res: Response): Promise<{ text: string; times: number[] }> {
  const reader = res.body!.getReader()
  const dec = new TextDecoder()
  let text = ''
  const times: number[] = []
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    times.push(Date.now())
    text += dec.decode(value, { stream: true })
  }
  return { text, times }
}

describe('streaming', () => {
  test('the first SSE event reaches the client while the upstream still holds the stream open', async () => {
    // The fixture sends one event, then waits for our signal before sending the last one: a
    // gateway that buffers the response delivers nothing until we give up and release it.
    const id = `sse-${Date.now()}-${Math.random()}`
    const first = (async () => {
      const res = await fetch(`${base}/up/gated-sse?id=${id}`, { headers: { 'accept-encoding': 'identity' } })
      const reader = res.body!.getReader()
      const dec = new TextDecoder()
      let text = ''
      while (!text.includes('\n\n')) {
        const { value, done } = await reader.read()
        if (done) break
        text += dec.decode(value, { stream: true })
      }
      return { res, reader, text }
    })()
    const got = await Promise.race([first, sleep(5000).then(() => null)])
    const release = await (await fetch(`${upA}/__release?id=${id}`)).json()
    expect(got, 'no SSE event reached the client within 5 s while the upstream held the stream open').not.toBeNull()
    expect(release.held, 'the upstream had already finished when the client got its first event').toBe(true)
    expect(got!.res.headers.get('content-type')).toContain('text/event-stream')
    expect(got!.text).toContain('data: first')
    let rest = ''
    for (;;) {
      const { value, done } = await got!.reader.read()
      if (done) break
      rest += new TextDecoder().decode(value)
    }
    expect(got!.text + rest).toContain('data: last')
  })

  test('SSE events keep their spacing: the last arrives well after the first', async () => {
    const res = await fetch(`${base}/up/sse?events=4&ms=400`, { headers: { 'accept-encoding': 'identity' } })
    const { text, times } = await readChunks(res)
    expect(text).toContain('data: event 0')
    expect(text).toContain('data: event 3')
    // The upstream spreads four events over ≥ 1.2 s; a buffering proxy delivers them at once.
    expect(times[times.length - 1] - times[0]).toBeGreaterThan(700)
  })

  test('a request body is streamed to the upstream before the client has finished sending it', async () => {
    const id = `in-${Date.now()}-${Math.random()}`
    const u = new URL(base)
    const req = httpRequest({
      host: u.hostname,
      port: u.port,
      method: 'POST',
      path: `/up/stream-in?id=${id}`,
      headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      agent: false,
    })
    const answer = new Promise<{ status?: number; json: { bodyLength: number } }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(body) }))
      })
      req.on('error', reject)
    })
    const head = patternBytes(256 * 1024)
    req.write(head)
    // Ask the upstream directly (not through the gateway) how much it has seen so far.
    let seen = 0
    for (let i = 0; i < 50 && !(seen > 0); i++) {
      await sleep(100)
      seen = (await (await fetch(`${upA}/received?id=${id}`)).json()).bytes ?? 0
    }
    req.end(Buffer.from('tail'))
    const { status, json } = await answer
    expect(seen, 'the upstream saw no body bytes while the client was still sending').toBeGreaterThan(0)
    expect(status).toBe(200)
    expect(json.bodyLength).toBe(head.length + 4)
  })

  test('chunked responses stream chunk by chunk', async () => {
    // identity: otherwise workerd (locally) gzips text/plain for the client and buffers to do it.
    const res = await fetch(`${base}/up/drip?chunks=3&ms=300`, { headers: { 'accept-encoding': 'identity' } })
    const { text, times } = await readChunks(res)
    expect(text).toBe('chunk 0\nchunk 1\nchunk 2\n')
    expect(times[times.length - 1] - times[0]).toBeGreaterThan(400)
  })

  test('a body that stalls longer than timeout_policy.idle is cut', async () => {
    const res = await fetch(`${base}/idle/drip?chunks=3&ms=1500`)
    expect(res.status).toBe(200)
    const outcome = await readChunks(res).then(
      (r) => r.text,
      () => 'errored',
    )
    expect(outcome === 'errored' || !outcome.includes('chunk 2')).toBe(true)
  })

  testOn('clientAbort', 'a client that disconnects cancels the upstream request', async () => {
    const id = `abort-${Date.now()}-${Math.random()}`
    const ctrl = new AbortController()
    const res = await fetch(`${base}/up/abort-watch?id=${id}`, { signal: ctrl.signal })
    const reader = res.body!.getReader()
    await reader.read() // "started"
    ctrl.abort()
    let aborted: boolean | null = null
    for (let i = 0; i < 40 && aborted !== true; i++) {
      await new Promise((r) => setTimeout(r, 100))
      aborted = (await getJson(`/up/aborted?id=${encodeURIComponent(id)}`)).json.aborted
    }
    expect(aborted).toBe(true)
  })
})
