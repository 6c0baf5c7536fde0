/**
 * Slow-request protection: a client that trickles its request headers is cut off after
 * `read_header_timeout` (Node: 408 JSON), and the gateway keeps serving others. Bun and Deno
 * servers have no header timeout to enforce it with (explicit skips below, with what was seen).
 */
import { writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root, startPortico } from '../conformance/global-setup.ts'

const cases: [string, boolean][] = [
  ['node', true],
  ['node', false],
]

describe.each(cases)('read_header_timeout on %s (trickling: %s)', (runtime, trickle) => {
  it('a client that does not finish its headers in time is disconnected; others are served', async () => {
    const file = join(root, '.test-out', `slow-${runtime}-${trickle}.yaml`)
    writeFileSync(
      file,
      [
        'listeners: [{ id: public, address: "127.0.0.1:0", http: { read_header_timeout: 1s } }]',
        'admin: { enabled: false }',
        'logging: { access_log: false, level: warn }',
        'routes: [{ id: echo, path: /echo, path_prefix: true, echo: true }]',
      ].join('\n'),
    )
    const gw = startPortico(runtime, file, {}, join(root, '.test-out', `slow-${runtime}-${trickle}.log`))
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
      if (runtime === 'node') expect(answer).toMatch(/^HTTP\/1\.1 408/)
      expect((await fetch(`${url.origin}/echo/ok`)).status).toBe(200)
    } finally {
      await gw.stop()
    }
  })
})

describe('read_header_timeout where the runtime cannot enforce it', () => {
  it.skip('[skipped on bun: Bun.serve has no header timeout; read_header_timeout maps to its idleTimeout, which restarts on every byte and, observed here, did not close a stalled partial request within 8 s at idleTimeout 1]', () => {})
  it.skip('[skipped on deno: Deno.serve exposes no header or idle timeout to configure; put a proxy with one in front, or use Node]', () => {})
})
