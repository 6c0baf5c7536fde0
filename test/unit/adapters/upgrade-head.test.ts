import { PassThrough } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { readBody, readHead } from '../../../adapters/server/node-http/upgrade-head.ts'

/** A stream that delivers `parts` one per tick, as a socket would in separate reads. */
function feed(parts: string[]): PassThrough {
  const s = new PassThrough()
  let i = 0
  const next = () => {
    if (i < parts.length) {
      s.write(Buffer.from(parts[i++], 'latin1'))
      setImmediate(next)
    } else s.end()
  }
  setImmediate(next)
  return s
}

describe('upgrade answer parsing', () => {
  test('a 101 head split over reads, with the first tunnel bytes kept', async () => {
    const head = await readHead(feed(['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n', 'Sec-WebSocket-Accept: abc\r\n\r\n\x81\x02hi']))
    expect(head.status).toBe(101)
    expect(head.fields).toEqual([['upgrade', 'websocket'], ['sec-websocket-accept', 'abc']])
    expect(head.rest.toString('latin1')).toBe('\x81\x02hi')
  })

  test('an interim 100 before the final answer is skipped', async () => {
    const head = await readHead(feed(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno']))
    expect(head.status).toBe(403)
  })

  test('a chunked refusal is de-chunked; a Content-Length one read to its length; one without either until close', async () => {
    const chunked = feed(['HTTP/1.1 400 Bad\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n', '2\r\nde\r\n0\r\n\r\n'])
    expect(Buffer.from(await readBody(chunked, await readHead(chunked))).toString()).toBe('abcde')
    const sized = feed(['HTTP/1.1 403 No\r\ncontent-length: 4\r\n\r\nfo', 'ur'])
    expect(Buffer.from(await readBody(sized, await readHead(sized))).toString()).toBe('four')
    const closeDelimited = feed(['HTTP/1.1 500 Oops\r\n\r\nuntil', ' close'])
    expect(Buffer.from(await readBody(closeDelimited, await readHead(closeDelimited))).toString()).toBe('until close')
  })

  test('garbage and a close before any answer are 502s', async () => {
    await expect(readHead(feed(['SSH-2.0-OpenSSH\r\n\r\n']))).rejects.toMatchObject({ status: 502 })
    await expect(readHead(feed([]))).rejects.toMatchObject({ status: 502 })
  })
})
