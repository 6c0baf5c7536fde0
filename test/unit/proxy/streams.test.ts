import { describe, expect, test } from 'vitest'
import { limitBody, observeBody } from '../../../src/proxy/streams.ts'

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
