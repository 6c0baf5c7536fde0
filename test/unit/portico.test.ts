/**
 * createPortico in process, with a real upstream on 127.0.0.1: validation as the CLI does it,
 * reload, the admin mount, and which peer address it trusts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadConfigFile } from '../../adapters/server/config-file.ts'
import { formatIssues } from '../../src/config/issues.ts'
import { createPortico, PorticoConfigError } from '../../src/portico.ts'

let upstream: Server
let upUrl = ''
const quiet = () => {}

beforeAll(async () => {
  upstream = createServer((req, res) => res.end(JSON.stringify({ url: req.url, xff: req.headers['x-forwarded-for'] })))
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
  upUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => upstream.close(() => r())))

const routes = () => ({ routes: [{ id: 'up', path: '/api', path_prefix: true, backends: [{ url: upUrl }] }] })

describe('createPortico', () => {
  test('an invalid config throws the lines `portico --validate` prints for the same file', () => {
    const text = 'routes:\n  - id: 1\nbogus: true\n'
    const file = join(mkdtempSync(join(tmpdir(), 'portico-')), 'bad.yaml')
    writeFileSync(file, text)
    const cli = loadConfigFile(file, {})
    expect(cli.ok).toBe(false)
    let thrown: unknown
    try {
      createPortico({ config: text, file, log: quiet })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(PorticoConfigError)
    expect((thrown as Error).message).toBe(formatIssues(cli.ok ? [] : cli.issues))
    expect((thrown as Error).message).toContain(`${file}: bogus: unknown key "bogus" (line 3)`)
  })

  test('an object config is proxied through a real upstream; CF-Connecting-IP is not trusted off Workers', async () => {
    const p = createPortico({ config: routes(), log: quiet })
    const res = await p.fetch(new Request('http://gw/api/a?b=1', { headers: { 'cf-connecting-ip': '6.6.6.6' } }), { incoming: { socket: { remoteAddress: '10.1.2.3' } } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ url: '/api/a?b=1', xff: '10.1.2.3' })
    // With a Workers execution context (and no socket), the platform's header is the peer.
    const cf = await p.fetch(new Request('http://gw/api/c', { headers: { 'cf-connecting-ip': '6.6.6.6' } }), {}, { waitUntil: () => {} })
    expect(await cf.json()).toMatchObject({ xff: '6.6.6.6' })
    await p.close()
  })

  test('reload swaps the config; an invalid one throws and the old one serves on', async () => {
    const p = createPortico({ config: routes(), log: quiet })
    await expect(p.reload({ routes: 'nope' })).rejects.toThrow(/config: routes: Invalid input/)
    expect((await p.fetch(new Request('http://gw/api/x'))).status).toBe(200)
    await p.reload({ routes: [{ id: 'e', path: '/echo', echo: true }] })
    expect((await p.fetch(new Request('http://gw/api/x'))).status).toBe(404)
    expect((await p.fetch(new Request('http://gw/echo'))).status).toBe(200)
    await p.close()
  })

  test('the admin API is mounted under admin.path_prefix only with a token, and needs it', async () => {
    const open = createPortico({ config: routes(), log: quiet })
    expect((await open.fetch(new Request('http://gw/__portico/routes'))).status).toBe(404)
    const p = createPortico({ config: { ...routes(), admin: { token: 't0ken' } }, log: quiet })
    expect((await p.fetch(new Request('http://gw/__portico/routes'))).status).toBe(401)
    const ok = await p.fetch(new Request('http://gw/__portico/routes', { headers: { authorization: 'Bearer t0ken' } }))
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ routes: [{ id: 'up' }] })
  })

  test('a remote store type without stores is a config error at store.type', () => {
    expect(() => createPortico({ config: { ...routes(), store: { type: 'redis' } }, log: quiet })).toThrow(/^config: store.type: "redis" needs its client/)
  })
})
