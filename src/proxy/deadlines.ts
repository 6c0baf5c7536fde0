/**
 * Header deadlines and client-abort checks for fetch-based forwarders, on one shared tick
 * instead of per-request timers. Each upstream try needs an AbortSignal that fires on the
 * header timeout, on the client going away, or on a hedging loser's cancel; built per request
 * from `setTimeout` + `AbortSignal.any([client, cancel, timer])`, that machinery cost ~10% of
 * the throughput on one runtime's small-GET benchmark (docs/performance.md): a timer per request
 * on the runtime's timer thread and dependent signals tracked through weak references. Here a
 * try costs one AbortController and one record; a tick every `tickMs` — armed only while tries
 * are pending — aborts those past their deadline or whose client or cancel signal has fired.
 * Deadlines are therefore late by at most `tickMs`. For server runtimes: workerd drops a timer
 * when the request that set it ends, which would strand a shared tick, so Workers keep
 * `createTimerDeadlines` (one timer per try, exact).
 * @module
 */
import { GatewayError } from '../core/errors.ts'

export interface Watch {
  /** Pass to fetch. Its reason is a 504 GatewayError on a header timeout. */
  readonly signal: AbortSignal
  /** Set when the deadline fired (not the client nor a cancel). */
  timedOut: boolean
  /** Call when the try has its response headers or failed: the record is dropped at the next tick. */
  done(): void
}

interface Entry extends Watch {
  at: number
  controller: AbortController
  client: AbortSignal | undefined
  cancel: AbortSignal | undefined
  finished: boolean
}

export interface Deadlines {
  /** `timeoutMs` 0 = no deadline (client and cancel are still watched). */
  watch(timeoutMs: number, client: AbortSignal | undefined, cancel: AbortSignal | undefined): Watch
}

export function createDeadlines(now: () => number = () => performance.now(), tickMs = 25): Deadlines {
  let entries: Entry[] = []
  let armed = false

  function tick(): void {
    armed = false
    const t = now()
    const kept: Entry[] = []
    for (const e of entries) {
      if (e.finished) continue
      if (e.client?.aborted || e.cancel?.aborted) {
        e.finished = true
        e.controller.abort((e.cancel?.aborted ? e.cancel.reason : undefined) ?? new DOMException('client closed the request', 'AbortError'))
      } else if (e.at <= t) {
        e.finished = true
        e.timedOut = true
        e.controller.abort(new GatewayError(504, 'upstream_timeout', 'upstream did not answer in time'))
      } else kept.push(e)
    }
    entries = kept
    if (kept.length > 0) arm()
  }

  function arm(): void {
    if (armed) return
    armed = true
    const timer = setTimeout(tick, tickMs)
    // Never keeps a server runtime alive on its own (a pending fetch does that); Deno's id is a number.
    ;(timer as { unref?: () => void }).unref?.()
  }

  return {
    watch(timeoutMs, client, cancel) {
      const controller = new AbortController()
      const entry: Entry = {
        signal: controller.signal,
        controller,
        client,
        cancel,
        at: timeoutMs > 0 ? now() + timeoutMs : Number.POSITIVE_INFINITY,
        timedOut: false,
        finished: false,
        done() {
          entry.finished = true
        },
      }
      if (client?.aborted || cancel?.aborted) {
        entry.finished = true
        controller.abort(cancel?.aborted ? cancel.reason : new DOMException('client closed the request', 'AbortError'))
        return entry
      }
      entries.push(entry)
      arm()
      return entry
    },
  }
}

/** One timer and one dependent signal per try: exact, and safe where timers belong to a request. */
export function createTimerDeadlines(): Deadlines {
  return {
    watch(timeoutMs, client, cancel) {
      const signals: AbortSignal[] = []
      if (client !== undefined) signals.push(client)
      if (cancel !== undefined) signals.push(cancel)
      let timer: ReturnType<typeof setTimeout> | undefined
      const w = {
        signal: signals.length === 1 ? signals[0] : signals.length === 0 ? never() : AbortSignal.any(signals),
        timedOut: false,
        done() {
          if (timer !== undefined) clearTimeout(timer)
        },
      }
      if (timeoutMs > 0) {
        const local = new AbortController()
        timer = setTimeout(() => {
          w.timedOut = true
          local.abort(new GatewayError(504, 'upstream_timeout', 'upstream did not answer in time'))
        }, timeoutMs)
        w.signal = AbortSignal.any([w.signal, local.signal])
      }
      return w
    },
  }
}

let quiet: AbortSignal | undefined

/** A signal that never fires; made on first use, since workerd refuses it at global scope. */
function never(): AbortSignal {
  quiet ??= new AbortController().signal
  return quiet
}
