import { describe, expect, test } from 'vitest'
import { createHeaderTransformer } from '../../../src/policies/transform.ts'
import { limitBody, observeBody } from '../../../src/proxy/streams.ts'
import { requestIdFrom } from '../../../src/observability/request-id.ts'

const vars = { request_id: 'rid-1', remote_addr: '10.0.0.1', host: 'h', method: 'GET', path: '/p' }

describe('header transforms', () => {
  test('remove, then set, then add, with $variables', () => {
    const t = createHeaderTransformer({ remove: ['Server'], set: { 'X-Id': '$request_id' }, add: { 'X-From': 'ip=$remote_addr' } })!
    const h = new Headers({ server: 'nginx', 'x-id': 'client-sent', 'x-from': 'a' })
    t(h, vars)
    expect(h.get('server')).toBeNull()
    expect(h.get('x-id')).toBe('rid-1')
    expect(h.get('x-from')).toBe('a, ip=10.0.0.1')
  })
})

describe('request ids', () => {
  test('a sane client id is kept, an unsafe one replaced by a UUID', () => {
    expect(requestIdFrom(new Headers({ 'x-request-id': 'abc-123' }))).toBe('abc-123')
    expect(requestIdFrom(new Headers({ 'x-request-id': 'a b' }))).toMatch(/^[0-9a-f-]{36}$/)
    expect(requestIdFrom(new Headers())).toMatch(/^[0-9a-f-]{36}$/)
  })
})

function streamOf(chunks: string[], gapMs = 0): ReadableStream<Uint8Array> {
  const enc = new TextEncoder()
  let i = 0
  return new ReadableStream({
    async pull(c) {
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs))
      if (i < chunks.length) c.enqueue(enc.encode(chunks[i++]))
      else c.close()
    },
  })
}

describe('body streams', () => {
  test('limitBody errors with 413 once the limit is passed', async () => {
    await expect(new Response(limitBody(streamOf(['aaaa', 'bbbb']), 6)).text()).rejects.toMatchObject({ status: 413 })
    expect(await new Response(limitBody(streamOf(['aaa', 'bbb']), 6)).text()).toBe('aaabbb')
  })

  test('observeBody reports bytes once, and the idle timeout cuts a stalled body', async () => {
    const ends: [number, boolean][] = []
    expect(await new Response(observeBody(streamOf(['ab', 'cde']), 0, (b, a) => ends.push([b, a]))).text()).toBe('abcde')
    expect(ends).toEqual([[5, false]])
    const stalled = observeBody(streamOf(['x', 'y'], 200), 50, (b, a) => ends.push([b, a]))
    await expect(new Response(stalled).text()).rejects.toMatchObject({ code: 'upstream_idle_timeout' })
    expect(ends[1]).toEqual([0, true])
  })
})
