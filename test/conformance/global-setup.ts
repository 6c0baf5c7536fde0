/**
 * Starts the fixture upstreams and a live Portico on PORTICO_RUNTIME (node|bun|deno|workerd)
 * through the real CLI, waits for its `ready` line, and hands the addresses to the tests.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startUpstreams } from '../fixtures/upstreams.ts'

export const root = join(import.meta.dirname, '../..')
export const ADMIN_TOKEN = 'conformance-admin-token-4f1c'
export const UPSTREAM_SECRET = 'upstream-secret-9b2e'

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: string
    baseUrl: string
    /** Admin base URL: its own listener, or the mount under the main listener on workerd. */
    adminUrl: string
    adminToken: string
    upstreamSecret: string
    logFile: string
    upA: string
    upB: string
    upC: string
  }
}

export function startPortico(runtime: string, config: string | null, env: Record<string, string>, logFile: string) {
  mkdirSync(join(root, '.test-out'), { recursive: true })
  const log = createWriteStream(logFile)
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/portico.js'), ...(config ? ['--config', config] : []), '--runtime', runtime], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
    log.write(d)
  })
  const ready = new Promise<{ listeners: Record<string, string>; admin: string | null }>((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`portico on ${runtime} did not start in 60 s:\n${stderr}`)), 60_000)
    child.stdout!.on('data', (d: Buffer) => {
      log.write(d)
      buf += d.toString()
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        if (line.includes('"msg":"ready"')) {
          clearTimeout(timer)
          resolve(JSON.parse(line))
        }
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`portico on ${runtime} exited with ${code} before ready:\n${stderr}`))
    })
  })
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode)
      child.once('exit', (code) => resolve(code))
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 8000).unref()
    })
  return { child, ready, stop }
}

export default async function setup(project: TestProject) {
  const runtime = process.env.PORTICO_RUNTIME ?? 'node'
  const ups = await startUpstreams()
  const logFile = join(root, '.test-out', `conformance-${runtime}.log`)
  const portico = startPortico(
    runtime,
    join(root, 'test/conformance/portico.yaml'),
    {
      UP_A: ups.a,
      UP_B: ups.b,
      UP_C: ups.c,
      UP_DEAD: ups.dead,
      PORTICO_ADMIN_TOKEN: ADMIN_TOKEN,
      PORTICO_UPSTREAM_SECRET: UPSTREAM_SECRET,
      PORTICO_LOG_FILE: 'stdout',
    },
    logFile,
  )
  let ready: Awaited<typeof portico.ready>
  try {
    ready = await portico.ready
  } catch (err) {
    await ups.close()
    throw err
  }
  const baseUrl = ready.listeners.public
  project.provide('runtime', runtime)
  project.provide('baseUrl', baseUrl)
  project.provide('adminUrl', ready.admin ?? `${baseUrl}/__portico`)
  project.provide('adminToken', ADMIN_TOKEN)
  project.provide('upstreamSecret', UPSTREAM_SECRET)
  project.provide('logFile', logFile)
  project.provide('upA', ups.a)
  project.provide('upB', ups.b)
  project.provide('upC', ups.c)
  return async () => {
    await portico.stop()
    await ups.close()
  }
}
