/**
 * The Bun and Deno command-line entries: parse `--config`, run the one start-up (start.ts), put
 * stop and reload on signals, print the ready line. A config problem ends the process with
 * every problem on stderr, as `--validate` prints them.
 * @module
 */
import { parseArgs } from 'node:util'
import { defaultConfigPath } from './paths.ts'
import { createSignalStop, watchParent } from './shutdown.ts'
import { PorticoConfigError, type RuntimeSpec, type StartedServer, startServer } from './start.ts'
import { printReady } from './startup.ts'

/** What only the runtime provides: its signal API, exit and timer unref (process / Deno). */
export interface ProcessHost {
  onSignal(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', handler: () => void): void
  exit(code: number): void
  unrefTimer(timer: ReturnType<typeof setTimeout>): void
  /** Set when the portico CLI started this process (PORTICO_PARENT_CONTROL): its stdin, which carries stop requests. */
  parentControl(): ReadableStream<Uint8Array> | null
}

export async function runServerMain(spec: RuntimeSpec, host: ProcessHost): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, strict: false })
  const file = typeof values.config === 'string' ? values.config : defaultConfigPath
  let s: StartedServer
  try {
    s = await startServer(spec, { configFile: file })
  } catch (err) {
    if (!(err instanceof PorticoConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    return host.exit(1)
  }
  const stop = createSignalStop({
    config: s.config,
    holder: s.holder,
    logger: s.logger,
    stopListeners: s.stopListeners,
    forceClose: s.forceClose,
    flush: s.flush,
    exit: host.exit,
    unrefTimer: host.unrefTimer,
  })
  host.onSignal('SIGINT', () => void stop('signal'))
  host.onSignal('SIGTERM', () => void stop('signal'))
  const parent = host.parentControl()
  if (parent !== null) void watchParent(parent, stop)
  host.onSignal('SIGHUP', () => void s.reloader.reload('SIGHUP'))
  // Last, so a signal sent as soon as the ready line is read finds the handlers installed.
  printReady(spec.name, s.listeners, s.admin)
}
