/**
 * `portico` command line: serve a config on node|bun|deno|workerd, validate it, print the
 * JSON Schema or the version. Bun and Deno run as child processes of their npm-installed
 * binaries; workerd runs in Miniflare with the config bundled into the worker.
 * @module
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { configJsonSchema } from '../../src/config/json-schema.ts'
import { inactiveKeysOf } from '../../src/gateway/gateway.ts'
import { formatIssues } from '../../src/config/issues.ts'
import { compatOfText, formatCompat } from '../../src/config/runway-compat.ts'
import { loadConfigFile } from '../server/config-file.ts'
import { binPath, defaultConfigPath, packageRoot } from '../server/paths.ts'
import { PARENT_CONTROL_ENV, shutdownDeadlineMs, shutdownPlan } from '../server/shutdown.ts'
import { printReady, serveNode } from './serve.ts'

const RUNTIMES = ['node', 'bun', 'deno', 'workerd'] as const
type RuntimeArg = (typeof RUNTIMES)[number]

const USAGE = `Usage: portico [--config FILE] [--runtime node|bun|deno|workerd] [--validate [--compat]]
       --compat    with --validate: list the Runway features the file uses (active, accepted but not active, missing)
       portico schema      print the config JSON Schema
       portico convert --from gateway-pro|rust-flux FILE   print another gateway's config as Portico's (notes on stderr)
       portico push-config --config FILE --url ADMIN_URL [--token T]   store a config in Workers KV (cloudflare.config_kv_key)
       portico upstash-bridge [--redis URL] [--port N] [--token T]   dev tool: Upstash REST API in front of a real Redis
       portico --version

With no --config, serves the bundled example (configs/portico.yaml).`

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

async function main(): Promise<void> {
  if (process.argv[2] === 'convert') return (await import('./convert.ts')).runConvert(process.argv.slice(3))
  if (process.argv[2] === 'push-config') return (await import('./push-config.ts')).runPushConfig(process.argv.slice(3))
  if (process.argv[2] === 'upstash-bridge') {
    // Loaded on demand: serving a config never needs ioredis.
    const { runUpstashBridgeCli } = await import('../redis/upstash-bridge-cli.ts')
    return runUpstashBridgeCli(process.argv.slice(3))
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        runtime: { type: 'string', default: 'node' },
        validate: { type: 'boolean', default: false },
        compat: { type: 'boolean', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`)
  }
  const { values, positionals } = parsed
  if (values.help) return void console.log(USAGE)
  if (values.version) {
    const pkg = JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8')) as { version: string }
    return void console.log(pkg.version)
  }
  if (positionals[0] === 'schema') return void console.log(JSON.stringify(configJsonSchema(), null, 2))
  if (positionals.length > 0) fail(`unknown command "${positionals[0]}"\n${USAGE}`)

  const runtime = values.runtime as RuntimeArg
  if (!RUNTIMES.includes(runtime)) fail(`--runtime must be one of ${RUNTIMES.join(', ')}`)
  const file = values.config === undefined ? defaultConfigPath : resolve(values.config as string)
  // The compat report reads the file as written, so a config refused for a missing feature still gets it.
  if (values.compat) printCompat(file)
  const loaded = loadConfigFile(file, process.env)
  if (!loaded.ok) fail(formatIssues(loaded.issues), 1)
  if (values.validate || values.compat) {
    for (const w of loaded.warnings) process.stderr.write(`${file}: warning: ${w}\n`)
    for (const key of inactiveKeysOf(loaded.config)) {
      process.stderr.write(`${file}: note: ${key}: accepted but not active in this version\n`)
    }
    return void console.log(`${file}: valid`)
  }

  if (runtime === 'node') {
    const running = await serveNode(loaded.config, loaded.warnings, file)
    const deadline = shutdownDeadlineMs(shutdownPlan(loaded.config))
    // Handlers first: a signal sent the moment the ready line is read must find them installed.
    onStopSignal(() => running.close(), deadline)
    printReady('node', running.listeners, running.admin)
  } else if (runtime === 'workerd') {
    const { serveWorkerd } = await import('../cloudflare/dev-server.ts')
    const running = await serveWorkerd(file, loaded.config)
    onStopSignal(() => running.close())
    printReady('workerd', running.listeners, null)
  } else {
    runChild(runtime, file)
  }
}

function printCompat(file: string): void {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return // loadConfigFile reports it
  }
  const entries = compatOfText(text)
  if (entries !== null) console.log(formatCompat(entries, file))
}

function onStopSignal(close: () => Promise<void>, deadlineMs = 10_000): void {
  let stopping = false
  const stop = () => {
    if (stopping) process.exit(1) // a second signal forces the exit
    stopping = true
    // Watchdog: the graceful stop bounds itself (drain_delay + shutdown.timeout); this is the backstop.
    const force = setTimeout(() => process.exit(0), deadlineMs)
    force.unref()
    close().then(() => process.exit(0), () => process.exit(1))
  }
  // Miniflare registers an exit hook that exits with 128+signal at once; our stop disposes it properly.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(sig)
    process.on(sig, stop)
  }
}

function runChild(runtime: 'bun' | 'deno', file: string): void {
  const entry = resolve(packageRoot, `adapters/${runtime}/main.ts`)
  const args =
    runtime === 'bun'
      ? [entry, '--config', file]
      : ['run', '--unstable-no-legacy-abort', '--allow-net', '--allow-read', '--allow-env', '--allow-sys', '--allow-write', entry, '--config', file]
  // Stop requests go on the child's stdin, not as a second signal: under a process-group signal
  // the child has its own copy already and would take ours as "stop now" (watchParent).
  const child = spawn(binPath(runtime), args, {
    stdio: ['pipe', 'inherit', 'inherit'],
    cwd: packageRoot,
    env: { ...process.env, [PARENT_CONTROL_ENV]: '1' },
  })
  child.stdin!.on('error', () => {}) // the child is gone; its 'exit' below ends this process
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.stdin!.write('stop\n'))
  process.on('SIGHUP', () => child.kill('SIGHUP'))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
}

main().catch((err) => fail(`portico: ${(err as Error).stack ?? err}`, 1))
