import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { root, startPortico } from './global-setup.ts'
import { runtime, testOn } from './skips.ts'

const TOKEN = 'reload-token'
const config = (routes: string[], extra = '') =>
  [
    'listeners: [{ id: public, address: "127.0.0.1:0" }]',
    `admin: { address: "127.0.0.1:0", token: ${TOKEN} }`,
    'logging: { access_log: false }',
    'routes:',
    ...routes.map((r) => `  - { id: ${r}, path: /${r}, echo: true }`),
    extra,
  ].join('\n')

describe('config reload', () => {
  testOn('reload', 'POST /reload swaps the config; a bad config is rejected and the old one keeps serving; SIGHUP reloads', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'portico-reload-')), 'portico.yaml')
    writeFileSync(file, config(['a']))
    const p = startPortico(runtime, file, {}, join(root, `.test-out/reload-${runtime}.log`))
    try {
      const { listeners, admin } = await p.ready
      const base = listeners.public
      const post = () => fetch(`${admin}/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
      expect((await fetch(`${base}/b`)).status).toBe(404)

      writeFileSync(file, config(['a', 'b']))
      const ok = await post()
      expect(ok.status).toBe(200)
      expect(await ok.json()).toMatchObject({ ok: true, version: 2 })
      expect((await fetch(`${base}/b`)).status).toBe(200)

      writeFileSync(file, config(['a', 'b'], '  - id: c\n    path: /c\n    path_prefx: true\n    echo: true'))
      const bad = await post()
      expect(bad.status).toBe(422)
      const body = await bad.json()
      expect(body.ok).toBe(false)
      expect(body.error).toContain('did you mean "path_prefix"?')
      expect((await fetch(`${base}/b`)).status).toBe(200) // old config still serving
      expect((await fetch(`${base}/c`)).status).toBe(404)
      const status = await (await fetch(`${admin}/reload/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()
      expect(status).toMatchObject({ ok: false, version: 2 })

      writeFileSync(file, config(['a', 'b', 'c']))
      p.child.kill('SIGHUP')
      let code = 0
      for (let i = 0; i < 40 && code !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100))
        code = (await fetch(`${base}/c`)).status
      }
      expect(code).toBe(200)
      expect((await fetch(`${admin}/reload`, { method: 'POST' })).status).toBe(401)
    } finally {
      expect(await p.stop()).toBe(0)
    }
  })
})
