import { describe, expect, test } from 'vitest'
import { base, getJson } from './client.ts'
import { testOn } from './skips.ts'

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
  test('SSE events reach the client as they are sent, not when the stream ends', async () => {
    const started = Date.now()
    const res = await fetch(`${base}/up/sse?events=4&ms=400`)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const { text, times } = await readChunks(res)
    expect(text).toContain('data: event 0')
    expect(text).toContain('data: event 3')
    // The upstream needs ≥ 1.2 s for four events; the first must arrive well before the last.
    expect(times[0] - started).toBeLessThan(900)
    expect(times[times.length - 1] - times[0]).toBeGreaterThan(700)
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
