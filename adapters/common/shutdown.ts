/**
 * Graceful stop for the server runtimes (SIGTERM/SIGINT): first `drain_delay` — the gateway keeps
 * serving while /readyz answers 503 so load balancers take it out of rotation — then the
 * listeners stop accepting and in-flight requests get up to `shutdown.timeout` to finish; past
 * that, remaining connections are closed. A second signal exits at once (cli.ts).
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

/** The SIGINT/SIGTERM handler of the Bun and Deno entries: graceful once, a second signal exits 1. */
export function createSignalStop(o: SignalStopOptions): () => Promise<void> {
  let stopping = false
  return async function stop() {
    if (stopping) return o.exit(1)
    stopping = true
    const plan = shutdownPlan(o.config)
    o.unrefTimer(setTimeout(() => o.exit(0), shutdownDeadlineMs(plan)))
    await gracefulStop(o.holder, plan, o.logger, o.stopListeners, o.forceClose)
    await o.flush?.()
    o.exit(0)
  }
}
