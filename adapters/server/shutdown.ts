/**
 * Graceful stop for the server runtimes (SIGTERM/SIGINT): first `drain_delay` — the gateway keeps
 * serving while /readyz answers 503 so load balancers take it out of rotation — then the
 * listeners stop accepting and in-flight requests get up to `shutdown.timeout` to finish; past
 * that, remaining connections are closed. A second signal exits at once (cli.ts, createSignalStop).
 * Defaults: no drain delay (nothing to wait for on a laptop), 30 s timeout (Envoy's drain time).
 * @module
 */
import type { Config } from '../../src/config/types.ts'
import type { GatewayHolder } from '../../src/gateway/holder.ts'
import type { Logger } from '../../src/core/runtime.ts'

export interface ShutdownPlan {
  drainDelayMs: number
  timeoutMs: number
}

export function shutdownPlan(config: Config): ShutdownPlan {
  const s = config.shutdown
  return { drainDelayMs: s?.drain_delay ?? 0, timeoutMs: s?.timeout ?? 30_000 }
}

/** Longest a graceful stop can take: a watchdog exits the process after this. */
export function shutdownDeadlineMs(plan: ShutdownPlan): number {
  return plan.drainDelayMs + plan.timeoutMs + 5_000
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export async function gracefulStop(
  holder: GatewayHolder,
  plan: ShutdownPlan,
  logger: Logger,
  stopListeners: () => Promise<unknown>,
  forceClose: () => unknown,
): Promise<void> {
  holder.draining = true
  logger.info('shutting down', { drain_delay_ms: plan.drainDelayMs, timeout_ms: plan.timeoutMs })
  if (plan.drainDelayMs > 0) await sleep(plan.drainDelayMs)
  let timer: ReturnType<typeof setTimeout> | undefined
  const clean = await Promise.race([
    stopListeners().then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), plan.timeoutMs)
    }),
  ])
  clearTimeout(timer)
  if (!clean) {
    logger.warn('shutdown timeout reached; closing the remaining connections', { timeout_ms: plan.timeoutMs })
    await forceClose()
  }
  holder.current.close()
  logger.info('stopped')
}

export interface SignalStopOptions {
  config: Config
  holder: GatewayHolder
  logger: Logger
  stopListeners: () => Promise<unknown>
  forceClose: () => unknown
  /** Sends the spans still queued (tracing), after the listeners are closed. */
  flush?: () => Promise<void>
  /** The runtime's process exit and timer unref (process.exit / Deno.exit, unref / Deno.unrefTimer). */
  exit: (code: number) => void
  unrefTimer: (timer: ReturnType<typeof setTimeout>) => void
}

/** Where a stop request comes from: the process's own SIGINT/SIGTERM, or the CLI that spawned it. */
export type StopSource = 'signal' | 'parent'

/**
 * The SIGINT/SIGTERM handler of the Bun and Deno entries: graceful on the first request; a second
 * request *from the same source* exits 1 at once. A signal sent to the whole process group
 * (systemd's KillMode=control-group, Ctrl-C in a terminal, `kill -- -PGID`, tini -g) reaches
 * this process and the CLI that spawned it, which passes its copy on (watchParent): that is one
 * request arriving twice, not an operator insisting.
 */
export function createSignalStop(o: SignalStopOptions): (source: StopSource) => Promise<void> {
  const seen = new Set<StopSource>()
  return async function stop(source) {
    if (seen.has(source)) return o.exit(1)
    seen.add(source)
    if (seen.size > 1) return
    const plan = shutdownPlan(o.config)
    o.unrefTimer(setTimeout(() => o.exit(0), shutdownDeadlineMs(plan)))
    await gracefulStop(o.holder, plan, o.logger, o.stopListeners, o.forceClose)
    await o.flush?.()
    o.exit(0)
  }
}

/** Set by the CLI for the bun/deno process it spawns: stop requests come on that process's stdin. */
export const PARENT_CONTROL_ENV = 'PORTICO_PARENT_CONTROL'

/**
 * Reads the CLI's stop requests, one line each (adapters/node/cli.ts writes them instead of
 * re-sending its signal, which this process could not tell from a second one). End of input
 * means the CLI is gone, even by SIGKILL: that stops gracefully too, so the runtime never
 * outlives its CLI.
 */
export async function watchParent(input: ReadableStream<Uint8Array>, stop: (source: StopSource) => unknown): Promise<void> {
  let requested = false
  const reader = input.getReader()
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      for (const byte of r.value) {
        if (byte !== 10) continue
        requested = true
        stop('parent')
      }
    }
  } catch {} // a broken pipe is an end of input too
  if (!requested) stop('parent')
}
