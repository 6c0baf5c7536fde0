/**
 * The forwarder for runtimes whose `fetch` is the fast path (Bun, Deno, workerd). Node uses
 * an undici pool instead (adapters/node), because WHATWG fetch costs ~5× there.
 * @module
 */
import { GatewayError } from '../core/errors.ts'
import type { RequestInfo, UpstreamRequest } from '../core/runtime.ts'
import { createTimerDeadlines, type Deadlines } from './deadlines.ts'

export interface FetchForwarderOptions {
  fetch?: typeof fetch
  /** Extra RequestInit fields a runtime needs (e.g. Bun's `decompress: false`). */
  init?: Record<string, unknown>
  /** How header deadlines and client aborts are watched (default: one timer per try). */
  deadlines?: Deadlines
}

/** Maps a failed upstream attempt to the gateway error the client should see. */
export function upstreamFailure(err: unknown, signal: AbortSignal, headerTimedOut: boolean): GatewayError {
  if (err instanceof GatewayError) return err
  if (headerTimedOut || (signal.aborted && isTimeout(signal.reason))) {
    return new GatewayError(504, 'upstream_timeout', 'upstream did not answer in time')
  }
  if (signal.aborted) return new GatewayError(499, 'client_closed', 'client closed the request')
  return new GatewayError(502, 'upstream_unreachable', 'upstream connection failed or response was invalid')
}

/**
 * A forwarder that hands back a 1xx as the final answer (workerd's fetch does with an
 * upstream's interim 100 Continue) has no response to give: a Response cannot even carry such
 * a status (Fetch standard: 200–599). RFC 9110 §15.2 makes 1xx interim, so this is a broken
 * exchange, a 502.
 */
export function interimAsFinal(res: { body?: ReadableStream | null }): GatewayError {
  res.body?.cancel().catch(() => {})
  return new GatewayError(502, 'upstream_unreachable', 'upstream sent an interim (1xx) response as its final answer')
}

function isTimeout(reason: unknown): boolean {
  return reason instanceof GatewayError
    ? reason.status === 504
    : (reason as { name?: string } | null)?.name === 'TimeoutError'
}

/** Always answers with a Response (fetch has no native response channel to write into). */
export type FetchForwarder = (request: UpstreamRequest, info: RequestInfo) => Promise<Response>

export function createFetchForwarder(options: FetchForwarderOptions = {}): FetchForwarder {
  const doFetch = options.fetch ?? fetch
  const extra = options.init ?? {}
  const deadlines = options.deadlines ?? createTimerDeadlines()
  return async function fetchForward(req: UpstreamRequest): Promise<Response> {
    const watch = deadlines.watch(req.headerTimeoutMs, req.original.signal, req.cancel)
    const signal = watch.signal
    const body = req.body === undefined ? req.original.body : req.body
    try {
      const init: RequestInit & Record<string, unknown> = {
        ...extra,
        method: req.method,
        headers: req.headers.pairs(),
        body: body as BodyInit | null,
        redirect: 'manual',
        signal,
      }
      // Fetch standard: a streaming request body needs duplex 'half'.
      if (body instanceof ReadableStream) init.duplex = 'half'
      const res = await doFetch(req.url, init)
      if (res.status < 200) throw interimAsFinal(res)
      return res
    } catch (err) {
      throw upstreamFailure(err, signal, watch.timedOut)
    } finally {
      watch.done()
    }
  }
}
