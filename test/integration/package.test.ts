/**
 * The npm package as a user gets it: `npm pack` (prepack builds dist/), the tarball unpacked into
 * a scratch project, and every example of docs/embedding.md run for real on its runtime — Node's
 * `serve`, Bun.serve({ fetch }), Deno.serve(p.fetch), a Worker `export default p` in workerd
 * (Miniflare), and a Hono `app.mount('/gw', p.fetch)` — each answering a request through a real
 * upstream. Offline: the tarball's dependencies are linked from this checkout's node_modules,
 * which is what `npm install` would put there (the npm cache here holds no registry metadata).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = join(import.meta.dirname, '../..')
const bin = (name: string) => join(root, 'node_modules/.bin', name)
const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` }
let scratch = ''
let upstream: Server
let upUrl = ''

const configYaml = () => `
listeners: [{ id: public, address: "127.0.0.1:0" }]
admin: { enabled: true, address: "127.0.0.1:0" }
routes:
  - { id: up, path: /api, path_prefix: true, backends: [{ url: "${upUrl}" }] }
`

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ upstream: true, url: req.url, via: req.headers.via }))
  })
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
  upUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`

  scratch = mkdtempSync(join(tmpdir(), 'portico-pkg-'))
  execFileSync('npm', ['pack', '--pack-destination', scratch], { cwd: root, env, stdio: 'pipe' })
  const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!
  const pkgDir = join(scratch, 'node_modules/portico')
  mkdirSync(pkgDir, { recursive: true })
  execFileSync('tar', ['-xzf', join(scratch, tgz), '-C', pkgDir, '--strip-components=1'])
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  // The project's own imports (hono for the mount example) and the package's dependencies.
  for (const dep of [...Object.keys(pkg.dependencies), 'hono']) {
    const link = join(scratch, 'node_modules', dep)
    if (readdirSync(join(scratch, 'node_modules')).includes(dep)) continue
    mkdirSync(join(link, '..'), { recursive: true })
    symlinkSync(realpathSync(join(root, 'node_modules', dep)), link)
  }
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', type: 'module', private: true }))
  writeFileSync(join(scratch, 'portico.yaml'), configYaml())
}, 120_000)

afterAll(async () => {
  await new Promise<void>((r) => upstream?.close(() => r()))
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true })
})

/** Runs an example until it prints `{"url": …}`, calls `check` with that URL, kills it in any case. */
async function runExample(cmd: string, args: string[], file: string, source: string, check: (url: string) => Promise<void>): Promise<void> {
  writeFileSync(join(scratch, file), source)
  const child: ChildProcess = spawn(cmd, [...args, file], {
    cwd: scratch,
    env: { ...env, UP: upUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so workerd (Miniflare's child) goes with it.
    detached: true,
  })
  let out = ''
  let err = ''
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no url within 60 s\nstdout: ${out}\nstderr: ${err}`)), 60_000)
      child.stderr!.on('data', (d) => {
        err += d
      })
      child.stdout!.on('data', (d) => {
        out += d
        const m = /\{"url":"([^"]+)"\}/.exec(out)
        if (m) {
          clearTimeout(deadline)
          resolve(m[1])
        }
      })
      child.on('exit', (code) => {
        clearTimeout(deadline)
        reject(new Error(`exited ${code}\nstdout: ${out}\nstderr: ${err}`))
      })
    })
    await check(url)
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

async function expectProxied(url: string): Promise<void> {
  const res = await fetch(url)
  const body = (await res.json()) as { upstream?: boolean; url?: string; via?: string }
  expect(res.status).toBe(200)
  expect(body).toMatchObject({ upstream: true, url: '/api/hello?x=1', via: '1.1 portico' })
}

describe('the packed npm package', () => {
  test('ships JS and declarations for every export', () => {
    const pkgDir = join(scratch, 'node_modules/portico')
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> }
    for (const name of ['.', './node', './bun', './deno', './cloudflare']) {
      expect(readFileSync(join(pkgDir, pkg.exports[name].default), 'utf8').length).toBeGreaterThan(0)
      expect(readFileSync(join(pkgDir, pkg.exports[name].types), 'utf8')).toMatch(/export/)
    }
    // A TypeScript user type-checks against the shipped declarations.
    writeFileSync(
      join(scratch, 'typed.ts'),
      `import { createPortico, type Portico } from 'portico'\nimport { serve, type RunningServer } from 'portico/node'\n` +
        `const p: Portico = createPortico({ config: 'routes: []' })\nconst r: Promise<RunningServer> = serve({ configFile: 'x.yaml' })\nvoid p; void r\n`,
    )
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2023', 'DOM'], types: [] }, files: ['typed.ts'] }),
    )
    execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: scratch, stdio: 'pipe' })
  }, 60_000)

  test('portico/node: serve({ configFile })', async () => {
    const src = `import { serve } from 'portico/node'
const s = await serve({ configFile: 'portico.yaml' })
console.log(JSON.stringify({ url: s.listeners.public + '/api/hello?x=1' }))`
    await runExample(process.execPath, [], 'node-serve.mjs', src, expectProxied)
  }, 90_000)

  test('Bun.serve({ fetch: p.fetch })', async () => {
    const src = `import { createPortico } from 'portico'
const p = createPortico({ config: await Bun.file('portico.yaml').text() })
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: p.fetch })
console.log(JSON.stringify({ url: 'http://127.0.0.1:' + server.port + '/api/hello?x=1' }))`
    await runExample(bin('bun'), ['run'], 'bun-serve.ts', src, expectProxied)
  }, 90_000)

  test('Deno.serve(p.fetch)', async () => {
    const src = `import { createPortico } from 'portico'
const p = createPortico({ config: await Deno.readTextFile('portico.yaml') })
Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: (a) => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + a.port + '/api/hello?x=1' })) }, p.fetch)`
    await runExample(bin('deno'), ['run', '--allow-net', '--allow-read', '--allow-env', '--allow-sys'], 'deno-serve.ts', src, expectProxied)
  }, 90_000)

  test('a Hono app: app.mount("/gw", p.fetch)', async () => {
    const src = `import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import { readFileSync } from 'node:fs'
import { createPortico } from 'portico'
const p = createPortico({ config: readFileSync('portico.yaml', 'utf8') })
const app = new Hono()
app.get('/', (c) => c.text('my app'))
app.mount('/gw', p.fetch)
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (a) =>
  console.log(JSON.stringify({ url: 'http://127.0.0.1:' + a.port + '/gw/api/hello?x=1' })))`
    await runExample(process.execPath, [], 'hono-mount.mjs', src, expectProxied)
  }, 90_000)

  test('a Worker: export default createPortico(…) in workerd (Miniflare)', async () => {
    writeFileSync(
      join(scratch, 'worker.js'),
      `import { createPortico } from 'portico'\nexport default createPortico({ config: { routes: [{ id: 'up', path: '/api', path_prefix: true, backends: [{ url: UPSTREAM }] }] } })\n`,
    )
    // What wrangler does: bundle for workerd with the package's dependencies inlined.
    const { build } = await import('esbuild')
    const bundled = await build({
      absWorkingDir: scratch,
      entryPoints: ['worker.js'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      define: { UPSTREAM: JSON.stringify(upUrl) },
      write: false,
      logLevel: 'silent',
    })
    writeFileSync(join(scratch, 'worker.bundle.js'), bundled.outputFiles[0].text)
    const src = `import { readFileSync } from 'node:fs'
import { Miniflare } from 'miniflare'
const mf = new Miniflare({ modules: true, script: readFileSync('worker.bundle.js', 'utf8'), compatibilityDate: '2026-01-01', host: '127.0.0.1', port: 0 })
const url = await mf.ready
console.log(JSON.stringify({ url: url.origin + '/api/hello?x=1' }))`
    // Miniflare is this checkout's dev dependency, as wrangler would be the user's.
    symlinkSync(realpathSync(join(root, 'node_modules/miniflare')), join(scratch, 'node_modules/miniflare'))
    await runExample(process.execPath, [], 'worker-run.mjs', src, expectProxied)
  }, 120_000)
})
