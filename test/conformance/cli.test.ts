import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { root, startPortico } from './global-setup.ts'
import { runtime, testOn } from './skips.ts'

const run = promisify(execFile)
const bin = join(root, 'bin/portico.js')

async function portico(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

function tempConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'portico-')), 'bad.yaml')
  writeFileSync(file, text)
  return file
}

/** Enough env for the suite's config to load; nothing listens behind these URLs. */
const deadUpstreams = {
  UP_A: 'http://127.0.0.1:1',
  UP_B: 'http://127.0.0.1:1',
  UP_C: 'http://127.0.0.1:1',
  UP_DEAD: 'http://127.0.0.1:1',
  PORTICO_ADMIN_TOKEN: 't',
  PORTICO_UPSTREAM_SECRET: 's',
  CONF_API_KEY: 'k1',
  CONF_ADMIN_KEY: 'k2',
  JWKS_URL: 'http://127.0.0.1:1/jwks.json',
  INTROSPECT_URL: 'http://127.0.0.1:1/introspect',
  INTROSPECT_CLIENT_ID: 'c',
  INTROSPECT_CLIENT_SECRET: 's',
  PORTICO_LOG_FILE: 'stdout',
}

describe('command line', () => {
  test(`on ${runtime}: prints its addresses when ready and exits 0 on SIGTERM`, async () => {
    const p = startPortico(
      runtime,
      join(root, 'test/conformance/portico.yaml'),
      deadUpstreams,
      join(root, `.test-out/sigterm-${runtime}.log`),
    )
    try {
      const ready = await p.ready
      expect(ready.runtime).toBe(runtime)
      // 127.0.0.1:0 in the config: the ready line shows the real, ephemeral port.
      expect(ready.listeners.public).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/)
      if (runtime === 'workerd') expect(ready.admin).toBeNull()
      else expect(ready.admin).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/)
      expect((await fetch(`${ready.listeners.public}/echo/x`)).status).toBe(200)
      expect(await p.stop()).toBe(0)
    } finally {
      await p.stop() // a no-op once it has exited
    }
  }, 60_000)

  test(`on ${runtime}: SIGINT (Ctrl-C) stops it cleanly too, exit 0`, async () => {
    const p = startPortico(runtime, join(root, 'test/conformance/portico.yaml'), deadUpstreams, join(root, `.test-out/sigint-${runtime}.log`))
    try {
      await p.ready
      const started = Date.now()
      expect(await p.stop('SIGINT')).toBe(0)
      expect(Date.now() - started).toBeLessThan(8000)
    } finally {
      await p.stop() // a no-op once it has exited
    }
  }, 60_000)

  testOn('cliOnce', 'both Runway README examples pass --validate', async () => {
    for (const f of ['configs/examples/runway-minimal.yaml', 'configs/examples/runway-example.yaml']) {
      const r = await portico('--config', f, '--validate', )
      expect(r.stderr + r.stdout).toContain('valid')
      expect(r.code, r.stderr).toBe(0)
    }
    // Keys whose features arrive later are accepted, and said to be inactive — never silently.
    const r = await portico('--config', 'configs/examples/runway-example.yaml', '--validate')
    expect(r.stderr).toContain('note: registry: accepted but not active in this version')
    expect(r.stderr).toContain('note: routes.users-api.service: accepted but not active in this version')
    expect(r.stderr).not.toContain('note: authentication.jwt') // active since JWT auth landed
    expect(r.stderr).not.toContain('routes.users-api.rate_limit') // active since rate limiting landed
  })

  testOn('cliOnce', 'a bad config lists every problem as FILE: key.path: message and exits non-zero', async () => {
    const file = tempConfig(
      [
        'listeners:',
        '  - address: "127.0.0.1:0"',
        'routes:',
        '  - id: a',
        '    path: /a',
        '    path_prefx: true',
        '    echo: true',
        '  - id: b',
        '    path: /b',
        '    timeout: 10 seconds',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Portico's own ${env:X} syntax, not a JS template
        '    backends: [{ url: "${env:PORTICO_SURELY_UNSET_VAR}" }]',
      ].join('\n'),
    )
    const r = await portico('--config', file, '--validate')
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(new RegExp(`${file}: routes\\.0\\.path_prefx: .*did you mean .*path_prefix`))
    expect(r.stderr).toMatch(new RegExp(`${file}: routes\\.1\\.timeout: .*duration`))
    expect(r.stderr).toMatch(new RegExp(`${file}: routes\\.1\\.backends\\.0\\.url: .*PORTICO_SURELY_UNSET_VAR`))
    expect(r.stderr).toMatch(/\(line \d+\)/)
  })

  testOn('cliOnce', 'schema and --version', async () => {
    const schema = JSON.parse((await portico('schema')).stdout)
    expect(schema.properties.routes).toBeDefined()
    const pkg = JSON.parse((await import('node:fs')).readFileSync(join(root, 'package.json'), 'utf8'))
    expect((await portico('--version')).stdout.trim()).toBe(pkg.version)
  })

  testOn('cliOnce', 'with no --config it serves the bundled example (echo and demo routes)', async () => {
    const p = startPortico('node', null, {}, join(root, '.test-out/bundled.log'))
    try {
      const ready = await p.ready
      const echo = await (await fetch(`${ready.listeners.public}/echo/hi?x=1`)).json()
      expect(echo).toMatchObject({ method: 'GET', path: '/echo/hi', query: { x: '1' } })
      const demo = await fetch(`${ready.listeners.public}/demo/hi`)
      const body = await demo.json()
      expect(body.path).toBe('/echo/from-demo/hi')
      expect(body.headers.via).toContain('portico')
    } finally {
      expect(await p.stop()).toBe(0)
    }
  })
})
