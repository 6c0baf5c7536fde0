/**
 * Starts the fixture upstreams and a live Portico on PORTICO_RUNTIME (node|bun|deno|workerd)
 * through the real CLI, waits for its `ready` line, and hands the addresses to the tests.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { INTROSPECT_CLIENT, startIntrospection } from '../fixtures/introspection.ts'
import { startJwks } from '../fixtures/jwks.ts'
import { startUpstreams } from '../fixtures/upstreams.ts'
import { describeSkips, targetOf } from './skip-table.ts'

export const root = join(import.meta.dirname, '../..')
export const ADMIN_TOKEN = 'conformance-admin-token-4f1c'
export const UPSTREAM_SECRET = 'upstream-secret-9b2e'
export const CONF_API_KEY = 'conformance-key-acme-7d41c0'
export const CONF_ADMIN_KEY = 'conformance-key-root-2b9e55'

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: string
    /** `native` (Bun.serve, Deno.serve, node:http on Node) or `node-http` (the bridge on every runtime). */
    listener: string
    baseUrl: string
    /** Admin base URL: its own listener, or the mount under the main listener on workerd. */
    adminUrl: string
    adminToken: string
    upstreamSecret: string
    logFile: string
    upA: string
    upB: string
    upC: string
    jwksStatsUrl: string
    jwtPrivatePem: Record<string, string>
    rsaPublicPem: string
    introspectionStatsUrl: string
  }
}

/** The line `bin/portico.js` prints once it listens (contract: one JSON line, `"msg":"ready"`). */
export interface ReadyLine {
  runtime: string
  listeners: Record<string, string>
  /** null on workerd: admin is then mounted on the main listener under admin.path_prefix. */
  admin: string | null
}

/**
 * The process and everything it spawned (bun/deno/workerd under the CLI; Miniflare's workerd
 * outlives a SIGKILLed CLI), read from /proc on Linux; elsewhere the process alone.
 */
function processTree(pid: number): number[] {
  let children: number[] = []
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      children = children.concat(readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number))
    }
  } catch {} // gone, or no /proc
  return [pid, ...children.flatMap(processTree)]
}

/** Kills left running when the test process exits, whatever a test did or failed to do. */
const running = new Set<() => void>()
process.once('exit', () => {
  for (const kill of running) kill()
})

/**
 * `detached` gives the CLI its own process group (its pid is the group id), as a service manager
 * or a shell job would: the test can then signal the whole group, and the SIGKILL backstop
 * reaches the bun/deno/workerd process the CLI spawned too.
 */
export function startPortico(runtime: string, config: string | null, env: Record<string, string>, logFile: string, options: { detached?: boolean } = {}) {
  mkdirSync(join(root, '.test-out'), { recursive: true })
  const log = createWriteStream(logFile)
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/portico.js'), ...(config ? ['--config', config] : []), '--runtime', runtime], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  })
  /** The backstop: the whole process group when detached, else the process tree. */
  const kill = (signal: NodeJS.Signals) => {
    const exited = child.exitCode !== null || child.signalCode !== null
    if (exited && options.detached !== true) return // its pid may be another process's by now
    const pids = options.detached === true ? [-child.pid!] : processTree(child.pid!)
    for (const pid of pids) {
      try {
        process.kill(pid, signal)
      } catch {} // gone already
    }
  }
  const killNow = () => kill('SIGKILL')
  running.add(killNow)
  child.once('exit', () => running.delete(killNow))
  let stderr = ''
  // The last stdout lines too: a gateway may log its startup error as JSON on stdout.
  const lastLines: string[] = []
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
    log.write(d)
  })
  const why = () => `\n--- stderr:\n${stderr}\n--- last stdout lines:\n${lastLines.join('\n')}\n--- full log: ${logFile}`
  const ready = new Promise<ReadyLine>((resolve, reject) => {
    let buf = ''
    let isReady = false
    const timer = setTimeout(() => {
      // Never leave a half-started gateway behind. SIGTERM first: the CLI forwards it to the
      // bun/deno/workerd process it spawned, which a SIGKILL of the CLI would orphan.
      child.kill('SIGTERM')
      setTimeout(() => kill('SIGKILL'), 5000).unref()
      reject(new Error(`portico on ${runtime} printed no ready line within 60 s${why()}`))
    }, 60_000)
    child.stdout!.on('data', (d: Buffer) => {
      log.write(d)
      buf += d.toString()
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        lastLines.push(line)
        if (lastLines.length > 20) lastLines.shift()
        if (!isReady && line.includes('"msg":"ready"')) {
          isReady = true
          clearTimeout(timer)
          resolve(JSON.parse(line.slice(line.indexOf('{'))) as ReadyLine)
        }
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`portico on ${runtime} exited (${code ?? signal}) before its ready line${why()}`))
    })
  })
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<number | null>((resolve) => {
      // Already gone (exited, or killed by a signal): the 'exit' event will not come again.
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode)
      child.once('exit', (code) => resolve(code))
      child.kill(signal)
      setTimeout(() => kill('SIGKILL'), 8000).unref()
    })
  /** The exit code once the process has exited (whoever stopped it). */
  const exited = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode)
      child.once('exit', (code) => resolve(code))
    })
  return { child, ready, stop, kill, exited }
}

/**
 * The suite's config; `PORTICO_LISTENER=node-http` gives the public listener a header deadline,
 * which Bun.serve and Deno.serve lack, so Bun and Deno serve it on the node:http bridge
 * (adapters/server/node-http/): the same suite then checks that path too.
 */
function conformanceConfig(runtime: string, listener: string | undefined): string {
  const file = join(root, 'test/conformance/portico.yaml')
  if ((listener === undefined || listener === 'native') && (runtime === 'bun' || runtime === 'deno')) return withoutWebSocket(file, runtime)
  if (listener === undefined || listener === 'native') return file
  if (listener !== 'node-http') throw new Error(`PORTICO_LISTENER: expected native or node-http, got ${listener}`)
  const text = readFileSync(file, 'utf8')
  const patched = text.replace('    protocol: http\n', '    protocol: http\n    http: { read_header_timeout: 30s }\n')
  if (patched === text) throw new Error('conformance config: the public listener was not found to patch')
  mkdirSync(join(root, '.test-out'), { recursive: true })
  const out = join(root, '.test-out', 'conformance-node-http.yaml')
  writeFileSync(out, patched)
  return out
}

/**
 * Bun and Deno put every listener of a config with WebSocket routes on the node:http bridge
 * (docs/protocols.md), so their native runs drop those routes to keep testing Bun.serve and
 * Deno.serve; the `:node-http` runs cover WebSocket there (skip-table.ts says so).
 */
function withoutWebSocket(file: string, runtime: string): string {
  const text = readFileSync(file, 'utf8')
  const at = text.indexOf(WS_SECTION)
  if (at === -1) throw new Error(`conformance config: "${WS_SECTION}" not found`)
  const out = join(root, '.test-out', `conformance-${runtime}-native.yaml`)
  mkdirSync(join(root, '.test-out'), { recursive: true })
  writeFileSync(out, text.slice(0, at))
  return out
}
const WS_SECTION = '  # --- WebSocket'

export default async function setup(project: TestProject) {
  const runtime = process.env.PORTICO_RUNTIME ?? 'node'
  // The reasons are in the skipped tests' names too; printed here so a plain `vitest run` shows them.
  const listener = process.env.PORTICO_LISTENER ?? 'native'
  for (const line of describeSkips(targetOf(runtime, listener))) console.log(`[conformance] ${line}`)
  const ups = await startUpstreams()
  const jwks = await startJwks()
  const introspection = await startIntrospection()
  const logFile = join(root, '.test-out', `conformance-${runtime}.log`)
  const portico = startPortico(
    runtime,
    conformanceConfig(runtime, listener),
    {
      UP_A: ups.a,
      UP_B: ups.b,
      UP_C: ups.c,
      UP_DEAD: ups.dead,
      PORTICO_ADMIN_TOKEN: ADMIN_TOKEN,
      PORTICO_UPSTREAM_SECRET: UPSTREAM_SECRET,
      CONF_API_KEY,
      CONF_ADMIN_KEY,
      JWKS_URL: jwks.url,
      INTROSPECT_URL: introspection.url,
      INTROSPECT_CLIENT_ID: INTROSPECT_CLIENT.id,
      INTROSPECT_CLIENT_SECRET: INTROSPECT_CLIENT.secret,
      PORTICO_LOG_FILE: 'stdout',
    },
    logFile,
  )
  let ready: ReadyLine
  try {
    ready = await portico.ready
  } catch (err) {
    await portico.stop()
    await ups.close()
    await jwks.close()
    await introspection.close()
    throw err
  }
  const baseUrl = ready.listeners.public
  project.provide('runtime', runtime)
  project.provide('listener', listener)
  project.provide('baseUrl', baseUrl)
  project.provide('adminUrl', ready.admin ?? `${baseUrl}/__portico`)
  project.provide('adminToken', ADMIN_TOKEN)
  project.provide('upstreamSecret', UPSTREAM_SECRET)
  project.provide('logFile', logFile)
  project.provide('upA', ups.a)
  project.provide('upB', ups.b)
  project.provide('upC', ups.c)
  project.provide('jwksStatsUrl', jwks.statsUrl)
  project.provide('jwtPrivatePem', jwks.privatePem)
  project.provide('rsaPublicPem', jwks.rsaPublicPem)
  project.provide('introspectionStatsUrl', introspection.statsUrl)
  return async () => {
    await portico.stop()
    await ups.close()
    await jwks.close()
    await introspection.close()
  }
}
