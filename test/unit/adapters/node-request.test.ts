import { createServer, request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, test } from 'vitest'
import { NodeHeaders } from '../../../adapters/server/node-http/request.ts'

/** One real request through node:http, its IncomingMessage handed to `inspect`. */
async function withIncoming(rawHeaders: [string, string][], inspect: (m: IncomingMessage) => void): Promise<void> {
  const server = createServer((req, res) => {
    inspect(req)
    res.end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  try {
    await new Promise<void>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path: '/', headers: [['host', '127.0.0.1'], ...rawHeaders].flat() as unknown as Record<string, string> }, (res) => {
      res.resume()
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))))
    })
    req.on('error', reject)
    req.end()
    })
  } finally {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  }
}

describe('NodeHeaders (a node:http request read as Headers)', () => {
  test('get combines as Node does, names are case-insensitive, iteration yields lower-case pairs', async () => {
    let seen: { accept: string | null; cookie: string | null; missing: string | null; has: boolean; pairs: [string, string][] } | undefined
    await withIncoming(
      [
        ['X-Forwarded-For', '10.0.0.1'],
        ['x-forwarded-for', '10.0.0.2'],
        ['Cookie', 'a=1'],
        ['cookie', 'b=2'],
      ],
      (m) => {
        const h = new NodeHeaders(m)
        seen = { accept: h.get('X-FORWARDED-FOR'), cookie: h.get('cookie'), missing: h.get('x-nope'), has: h.has('Cookie'), pairs: [...h] }
      },
    )
    expect(seen?.accept).toBe('10.0.0.1, 10.0.0.2')
    expect(seen?.cookie).toBe('a=1; b=2')
    expect(seen?.missing).toBeNull()
    expect(seen?.has).toBe(true)
    expect(seen?.pairs).toContainEqual(['x-forwarded-for', '10.0.0.1, 10.0.0.2'])
    expect(new Headers(seen?.pairs).get('cookie')).toBe('a=1; b=2')
  })

  test('a received request is read-only, and a prototype name is not a field', async () => {
    let errors: string[] = []
    let proto: string | null = 'x'
    await withIncoming([['x-a', '1']], (m) => {
      const h = new NodeHeaders(m)
      proto = h.get('__proto__')
      errors = [() => h.set(), () => h.append(), () => h.delete()].map((f) => {
        try {
          f()
          return 'no error'
        } catch (e) {
          return (e as Error).name
        }
      })
    })
    expect(proto).toBeNull()
    expect(errors).toEqual(['TypeError', 'TypeError', 'TypeError'])
  })
})
