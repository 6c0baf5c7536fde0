/**
 * `portico convert` end to end, on the READMEs' example configs of the seed gateways
 * (test/fixtures/seed-configs/): the real CLI converts each (notes on stderr, YAML on stdout),
 * `--validate` accepts the result, and `portico --config converted.yaml` proxies a request to a
 * real upstream on 127.0.0.1 — the converted file as printed, with only its addresses and
 * backend URLs pointed at this machine.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isMap, isSeq, parseDocument } from 'yaml'
import { root, startPortico } from '../conformance/global-setup.ts'
import { type Upstreams, startUpstreams } from '../fixtures/upstreams.ts'

const SECRET = 'convert-integration-secret-0123456789abcdef'
const ENV = { JWT_SECRET: SECRET }
const out = join(root, '.test-out')

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/portico.js'), ...args], { cwd: root, env: { ...process.env, ...ENV }, encoding: 'utf8', timeout: 30_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The converted text, listening on ephemeral local ports and sending every backend to `urls` in turn. */
function pointedAt(yaml: string, urls: string[]): string {
  const doc = parseDocument(yaml)
  doc.setIn(['listeners', 0, 'address'], '127.0.0.1:0')
  doc.setIn(['admin', 'address'], '127.0.0.1:0')
  const backendLists: (string | number)[][] = []
  const routes = doc.get('routes')
  if (isSeq(routes)) for (let i = 0; i < routes.items.length; i++) backendLists.push(['routes', i, 'backends'])
  const pools = doc.get('upstreams')
  if (isMap(pools)) for (const p of pools.items) backendLists.push(['upstreams', String((p.key as { value: unknown }).value), 'backends'])
  for (const path of backendLists) {
    const list = doc.getIn(path)
    if (isSeq(list)) for (let i = 0; i < list.items.length; i++) doc.setIn([...path, i, 'url'], urls[i % urls.length])
  }
  return doc.toString({ lineWidth: 0 })
}

let up: Upstreams
beforeAll(async () => {
  up = await startUpstreams()
  mkdirSync(out, { recursive: true })
})
afterAll(async () => {
  await up?.close()
})

/** Converts, validates and starts the fixture; `exercise` sends the requests. */
async function serveConverted(from: string, fixture: string, exercise: (base: string) => Promise<void>) {
  const source = join(root, 'test/fixtures/seed-configs', fixture)
  const converted = cli(['convert', '--from', from, source])
  expect(converted.code, converted.stderr).toBe(0)
  const notes = converted.stderr.split('\n').filter(Boolean)
  expect(notes.length).toBeGreaterThan(0)
  for (const line of notes) expect(line.startsWith(`${source}: note: `), line).toBe(true)
  // Every note is in the file too, as a comment.
  expect(converted.stdout.match(new RegExp(`^\\s*# ${from} `, 'gm'))?.length).toBe(notes.length)

  const file = join(out, `convert-${from}.yaml`)
  writeFileSync(file, pointedAt(converted.stdout, [up.a, up.b]))
  const validated = cli(['--config', file, '--validate'])
  expect(validated.code, validated.stderr).toBe(0)
  expect(validated.stdout.trim()).toBe(`${file}: valid`)

  const gw = startPortico('node', file, ENV, join(out, `convert-${from}.log`))
  try {
    const ready = await gw.ready
    await exercise(ready.listeners.http!)
  } finally {
    await gw.stop()
  }
}

describe('portico convert, then serve', () => {
  it('gateway-pro: the README config proxies /api/users to its backends, round robin', async () => {
    await serveConverted('gateway-pro', 'gateway-pro-readme.yaml', async (base) => {
      const seen = []
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${base}/api/users/42?full=1`)
        expect(res.status).toBe(200)
        const body = (await res.json()) as { server: string; url: string }
        expect(body.url).toBe('/api/users/42?full=1') // strip_prefix: false
        seen.push(body.server)
      }
      expect(seen.sort()).toEqual(['A', 'B'])
      expect((await fetch(`${base}/elsewhere`)).status).toBe(404)
    })
  })

  it('rust-flux: the README config proxies /api with a valid JWT, refuses without one and refuses other methods', async () => {
    await serveConverted('rust-flux', 'rust-flux-readme.yaml', async (base) => {
      const jwt = await new SignJWT({ iss: 'gateway', sub: 'user-1' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))
      expect((await fetch(`${base}/api/v1/test`)).status).toBe(401)
      const res = await fetch(`${base}/api/v1/test`, { method: 'POST', body: 'x', headers: { authorization: `Bearer ${jwt}` } })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { server: string; method: string; url: string }
      expect(body).toMatchObject({ server: 'A', method: 'POST', url: '/api/v1/test' })
      expect((await fetch(`${base}/api/v1/test`, { method: 'DELETE', headers: { authorization: `Bearer ${jwt}` } })).status).toBe(405)
    })
  })
})

describe('portico convert refuses what it cannot convert', () => {
  it('an unknown --from or a missing file argument is a usage error (exit 2)', () => {
    const r = cli(['convert', '--from', 'kong', 'x.yaml'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--from must be one of gateway-pro, rust-flux/)
    expect(cli(['convert', '--from', 'rust-flux']).code).toBe(2)
  })

  it('a file that is not a config of that gateway prints FILE: message and exits 1, with nothing on stdout', () => {
    const file = join(out, 'convert-not-a-config.yaml')
    writeFileSync(file, '- just\n- a list\n')
    const r = cli(['convert', '--from', 'gateway-pro', file])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`${file}: not a gateway-pro config: the top level must be a mapping of keys`)
    expect(r.stdout).toBe('')
    const missing = cli(['convert', '--from', 'gateway-pro', join(out, 'convert-no-such-file.yaml')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/convert-no-such-file\.yaml: cannot read file/)
  })

  it('a converted config Portico would refuse is printed, with its problems as --validate lists them, and exits 1', () => {
    const file = join(out, 'convert-bad-address.yaml')
    writeFileSync(file, 'server: { addr: "localhost" }\n')
    const r = cli(['convert', '--from', 'gateway-pro', file])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/address: localhost/)
    expect(r.stderr).toMatch(new RegExp(`${file} \\(converted\\): listeners\\.0\\.address: must be host:port`))
  })
})
