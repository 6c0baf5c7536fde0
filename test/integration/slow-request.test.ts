/**
 * Slow-request protection: a client that trickles its request headers is cut off after
 * `read_header_timeout` with 408, and the gateway keeps serving others. On Bun and Deno such a
 * listener runs on their node:http layer (Bun.serve / Deno.serve have no header deadline).
 */
import { writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root, startPortico } from '../conformance/global-setup.ts'

// `read_timeout` bounds the whole request, headers included (Go's http.Server): alone, it is
// the header deadline too. Node only: Bun and Deno open node:http for `read_header_timeout`.
const cases: [string, boolean, string][] = [
  ['node', true, 'read_header_timeout'],
  ['node', false, 'read_header_timeout'],
  ['node', true, 'read_timeout'],
  ['bun', true, 'read_header_timeout'],
  ['bun', false, 'read_header_timeout'],
  ['deno', true, 'read_header_timeout'],
  ['deno', false, 'read_header_timeout'],
]

describe.each(cases)('%s (trickling: %s), %s: 1s', (runtime, trickle, key) => {
  it('a client that does not finish its headers in time is disconnected; others are served', async () => {
    const file = join(root, '.test-out', `slow-${runtime}-${trickle}-${key}.yaml`)
    writeFileSync(
      file,
      [
        `listeners: [{ id: public, address: "127.0.0.1:0", http: { ${key}: 1s } }]`,
        'admin: { enabled: false }',
        'logging: { access_log: false, level: warn }',
        'routes: [{ id: echo, path: /echo, path_prefix: true, echo: true }]',
      ].join('\n'),
    )
    const gw = startPortico(runtime, file, {}, join(root, '.test-out', `slow-${runtime}-${trickle}-${key}.log`))
    try {
      const url = new URL((await gw.ready).listeners.public!)
      const started = Date.now()
      const answer = await new Promise<string>((resolve) => {
        const sock = connect(Number(url.port), url.hostname, () => sock.write('GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: '))
        let got = ''
        sock.on('data', (d) => {
          got += d.toString()
        })
        // Keep trickling a byte now and then, never finishing the headers.
        const drip = setInterval(() => trickle && sock.writable && sock.write('a'), 300)
        sock.on('close', () => {
          clearInterval(drip)
          resolve(got)
        })
        setTimeout(() => sock.destroy(), 8000)
      })
      const elapsed = Date.now() - started
      expect(elapsed).toBeLessThan(6000)
      expect(answer).toMatch(/^HTTP\/1\.1 408/)
      expect((await fetch(`${url.origin}/echo/ok`)).status).toBe(200)
    } finally {
      await gw.stop()
    }
  })
})
