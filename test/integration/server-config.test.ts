/**
 * The Bun and Deno entries run directly (`bun adapters/bun/main.ts`, `deno run … main.ts`),
 * without the Node CLI's own validation in front: a bad config is still refused with every
 * problem as FILE: key.path: message, and a good one serves. Both validate in a short-lived
 * worker (adapters/server/config-in-worker.ts).
 * The worker's failure modes (no answer, an exception) are driven through
 * test/fixtures/config-worker-driver.ts. Reloads through the same loader are covered by
 * test/conformance/reload.test.ts.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from '../conformance/global-setup.ts'

const DENO_FLAGS = ['run', '--unstable-no-legacy-abort', '--allow-net', '--allow-read', '--allow-env', '--allow-sys', '--allow-write']

interface Ran {
  code: number | null
  stdout: string
  stderr: string
  ready: boolean
}

/**
 * Runs a script on the real runtime until it exits, or until its ready line (then SIGTERM),
 * and returns what it printed and the exit code.
 */
function run(runtime: 'bun' | 'deno', script: string, args: string[], denoFlags = DENO_FLAGS): Promise<Ran> {
  const bin = join(root, 'node_modules/.bin', runtime)
  const argv = runtime === 'bun' ? [script, ...args] : [...denoFlags, script, ...args]
  const child = spawn(bin, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Ran = { code: null, stdout: '', stderr: '', ready: false }
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString()
    if (!out.ready && out.stdout.includes('"msg":"ready"')) {
      out.ready = true
      child.kill('SIGTERM')
    }
  })
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString()
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer)
      resolve({ ...out, code })
    }),
  )
}

/** The runtime's own entry, as `bun adapters/bun/main.ts` / `deno run … main.ts` users start it. */
const serve = (runtime: 'bun' | 'deno', file: string) => run(runtime, join(root, `adapters/${runtime}/main.ts`), ['--config', file])

function write(name: string, lines: string[]): string {
  mkdirSync(join(root, '.test-out'), { recursive: true })
  const file = join(root, '.test-out', name)
  writeFileSync(file, lines.join('\n'))
  return file
}

describe.each(['bun', 'deno'] as const)('config validation in the %s entry', (runtime) => {
  it('a bad config lists every problem as FILE: key.path: message and exits 1', async () => {
    const file = write(`server-config-bad-${runtime}.yaml`, [
      'listeners: [{ address: "127.0.0.1:0" }]',
      'routes:',
      '  - { id: a, path: /a, path_prefx: true, echo: true }',
      '  - { id: b, path: /b, timeout: 10 seconds, echo: true }',
    ])
    const r = await serve(runtime, file)
    expect(r.ready).toBe(false)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`${file}: routes\\.0\\.path_prefx: .*did you mean .*path_prefix`))
    expect(r.stderr).toMatch(new RegExp(`${file}: routes\\.1\\.timeout: .*duration`))
  }, 40_000)

  it('a missing file is reported with its name and the gateway does not start', async () => {
    const file = join(root, '.test-out', `server-config-missing-${runtime}.yaml`)
    const r = await serve(runtime, file)
    expect(r.ready).toBe(false)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${file}: cannot read file`)
  }, 40_000)

  it('a good config starts and prints its ready line', async () => {
    const file = write(`server-config-good-${runtime}.yaml`, ['listeners: [{ id: public, address: "127.0.0.1:0" }]', 'admin: { enabled: false }', 'routes:', '  - { id: a, path: /a, echo: true }'])
    const r = await serve(runtime, file)
    expect(r.ready).toBe(true)
    expect(r.stdout).toMatch(/"listeners":\{"public":"http:\/\/127\.0\.0\.1:\d+"\}/)
  }, 40_000)
})

/** loadConfigInWorker itself, run by the real runtime through test/fixtures/config-worker-driver.ts. */
async function drive(runtime: 'bun' | 'deno', mode: string, file: string): Promise<{ result: { ok: boolean; config?: Record<string, unknown>; issues?: { file: string; message: string }[] }; ms: number }> {
  const r = await run(runtime, join(root, 'test/fixtures/config-worker-driver.ts'), [mode, file], ['run', '--allow-read', '--allow-env'])
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`driver printed no result: ${r.stdout}${r.stderr}`)
  }
}

describe.each(['bun', 'deno'] as const)('config validation worker on %s', (runtime) => {
  it('returns the validated config, with the environment passed in', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Portico's own ${env:X} syntax, not a JS template
    const file = write(`worker-real-${runtime}.yaml`, ['listeners: [{ id: public, address: "127.0.0.1:0" }]', 'routes:', '  - { id: a, path: /a, backends: [{ url: "http://${env:PORTICO_DRIVER_ENV}.test" }] }'])
    const { result } = await drive(runtime, 'real', file)
    expect(result.ok).toBe(true)
    expect(JSON.stringify(result.config)).toContain('http://from-env.test')
  }, 30_000)

  it('a worker that never answers is reported as a problem after the timeout, not waited on for ever', async () => {
    const { result, ms } = await drive(runtime, 'silent', write(`worker-silent-${runtime}.yaml`, ['routes: []']))
    expect(result.ok).toBe(false)
    expect(result.issues?.[0].message).toBe('config validation did not finish within 300 ms')
    expect(ms).toBeGreaterThanOrEqual(290)
  }, 30_000)

  it('an exception in the validator is reported as a problem naming the file', async () => {
    const file = write(`worker-throws-${runtime}.yaml`, ['routes: []'])
    const { result } = await drive(runtime, 'throws', file)
    expect(result.ok).toBe(false)
    expect(result.issues?.[0].file).toBe(file)
    expect(result.issues?.[0].message).toMatch(/^config validation failed: .*validator exploded/)
  }, 30_000)
})
