/**
 * Node's direct path as an undici dispatch handler: the upstream answer goes straight into the
 * client's ServerResponse. The same bytes as `Pool.stream`, without what that API adds per
 * request — an AbortSignal listener, a factory call, a Writable lifecycle tracker and, without
 * Content-Length, a counting Writable (~2 µs per request together, docs/performance.md). The
 * client going away aborts the exchange through the dispatch controller instead.
 * @module
 */
import type { ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { GatewayError } from '../../src/core/errors.ts'
import { RawHeaders } from '../../src/core/headers.ts'
import type { DirectSink, Sent } from '../../src/core/runtime.ts'

type Controller = Dispatcher.DispatchController
type RawRecord = Record<string, string | string[] | undefined>

export class DirectExchange implements Dispatcher.DispatchHandler {
  readonly #out: ServerResponse
  readonly #direct: DirectSink
  readonly #fail: (err: unknown) => GatewayError
  #resolve!: (value: Sent) => void
  #reject!: (err: GatewayError) => void
  #controller: Controller | null = null
  #status = 0
  #bytes = 0
  #settled = false
  #clientGone = false
  #onDrain: (() => void) | null = null
  readonly #onClose = () => {
    if (this.#settled || this.#out.writableFinished) return
    this.#clientGone = true
    this.#controller?.abort(new Error('client closed the connection'))
  }
  /** Settles with `Sent` once the response is sent or cut; rejects before any byte was sent. */
  readonly done: Promise<Sent>

  constructor(out: ServerResponse, direct: DirectSink, fail: (err: unknown) => GatewayError) {
    this.#out = out
    this.#direct = direct
    this.#fail = fail
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    out.once('close', this.#onClose)
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller
    if (this.#clientGone) controller.abort(new Error('client closed the connection'))
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: RawRecord): void {
    // 1xx interim answers (100 Continue, 103 Early Hints) are not relayed.
    if (statusCode < 200) return
    this.#status = statusCode
    this.#direct.head({ status: statusCode, headers: new RawHeaders(headers) })
    this.#out.writeHead(statusCode, headers as Record<string, string | string[]>)
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.#bytes += chunk.length
    if (this.#out.write(chunk)) return
    // Backpressure: the upstream socket is paused until the client has drained.
    controller.pause()
    this.#onDrain ??= () => this.#controller?.resume()
    this.#out.once('drain', this.#onDrain)
  }

  onResponseEnd(): void {
    this.#out.end()
    this.#finish(false)
  }

  onResponseError(_controller: Controller | null, err: Error): void {
    if (this.#settled) return
    if (!this.#out.headersSent) {
      this.#settled = true
      this.#out.off('close', this.#onClose)
      this.#reject(this.#clientGone ? new GatewayError(499, 'client_closed', 'client closed the request') : this.#fail(err))
      return
    }
    // Mid-body failure or client gone: the status is sent, so cut the connection.
    this.#out.destroy()
    this.#finish(true)
  }

  #finish(aborted: boolean): void {
    if (this.#settled) return
    this.#settled = true
    this.#out.off('close', this.#onClose)
    this.#resolve({ kind: 'sent', status: this.#status, bytes: this.#bytes, aborted })
  }
}
