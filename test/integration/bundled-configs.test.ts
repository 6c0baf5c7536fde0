/**
 * Every config shipped under `configs/` (the bundled default and the Runway examples) starts
 * through the real CLI on every runtime and answers real requests: an unrouted path gets the
 * gateway's own JSON 404 with a request id, and the admin API (when the runtime opens one)
 * answers /healthz. `--validate` alone does not catch a config the listener refuses at start.
 *
 * The configs listen on fixed ports (8080, 8081), so they run one after another: each waits
 * until the previous gateway has exited and its ports refuse connections.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { join, relative } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import { root, startPortico } from '../conformance/global-setup.ts'

function configsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return configsUnder(path)
    return /\.ya?ml$/.test(name) ? [path] : []
  })
}

const configs = configsUnder(join(root, 'configs')).map((f) => relative(root, f))
const runtimes = ['node', 'bun', 'deno', 'workerd']

/** A value for every `${VAR}` the file references: long enough for an HS256 secret. */
function envFor(text: string): Record<string, string> {
  const names = [...text.matchAll(/\$\{(?:env:)?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!)
  return Object.fromEntries(names.map((n) => [n, `bundled-config-test-${n.toLowerCase()}-0123456789abcdef`]))
}

/** The TCP ports a config binds (listeners, and the admin API's default 8081 when it is on). */
function portsOf(text: string): number[] {
  const c = parse(text) as { listeners?: { address?: string }[]; admin?: { enabled?: boolean; port?: number; address?: string } }
  const port = (address: string | undefined) => Number(/:(\d+)$/.exec(address ?? '')?.[1] ?? 0)
  const ports = (c.listeners ?? []).map((l) => port(l.address))
  if (c.admin?.enabled !== false) ports.push(c.admin?.address ? port(c.admin.address) : (c.admin?.port ?? 8081))
  return ports.filter((p) => p > 0)
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1')
    sock.once('connect', () => {
      sock.destroy()
      resolve(false)
    })
    sock.once('error', () => resolve(true))
  })
}

describe.each(configs)('%s', (config) => {
  const text = readFileSync(join(root, config), 'utf8')
  it.each(runtimes)('starts and answers on %s', async (runtime) => {
    const ports = portsOf(text)
    await vi.waitFor(async () => expect(await Promise.all(ports.map(refuses)), `ports ${ports} free`).toEqual(ports.map(() => true)), {
      timeout: 20_000,
      interval: 100,
    })
    const log = join(root, '.test-out', `bundled-${config.replaceAll('/', '-')}-${runtime}.log`)
    const gw = startPortico(runtime, join(root, config), envFor(text), log)
    let exit: number | null
    try {
      const ready = await gw.ready
      const base = Object.values(ready.listeners)[0]!
      const res = await fetch(`${base}/__bundled-config-test/no-such-route`)
      const body = (await res.json()) as { error?: { status?: number; request_id?: string } }
      expect(res.status).toBe(404)
      expect(body.error?.status).toBe(404)
      expect(body.error?.request_id).toBe(res.headers.get('x-request-id'))
      if (ready.admin !== null) expect((await fetch(`${ready.admin}/healthz`)).status).toBe(200)
    } finally {
      exit = await gw.stop()
    }
    expect(exit, 'exit code after SIGTERM').toBe(0)
  })
})
