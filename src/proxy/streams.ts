/**
 * Stream wrappers the proxy needs on every runtime: a request-body size cap, an idle
 * (gap between chunks) timeout on response bodies, and a byte counter for the access log.
 * @module
 */
import { GatewayError } from '../core/errors.ts'

/** Errors the stream with a 413 once more than `limit` bytes have passed. */
export function limitBody(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > limit) {
          controller.error(bodyTooLarge(limit))
          return
        }
        controller.enqueue(chunk)
      },
    }),
  )
}

/**
 * Reads a body of unknown length (chunked) up to `limit` bytes. Over the limit it stops
 * reading and throws 413, so the upstream never sees a truncated body as if it were whole
 * (some fetch implementations end an errored request stream as a clean end). Buffering is
 * bounded by the route's own max_body_size.
 */
export async function readBounded(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      reader.cancel().catch(() => {})
      throw bodyTooLarge(limit)
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

export function bodyTooLarge(limit: number): GatewayError {
  return new GatewayError(413, 'payload_too_large', `request body exceeds ${limit} bytes`)
}

/**
 * Passes chunks through, calling `onEnd(bytes, aborted)` exactly once when the consumer has
 * read everything, cancelled, or the source failed. Idle timeout: if `idleMs` > 0 and no
 * chunk arrives for that long, the stream errors (the client sees a truncated response,
 * as headers are already sent).
 */
export function observeBody(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  onEnd: (bytes: number, aborted: boolean) => void,
): ReadableStream<Uint8Array> {
  let bytes = 0
  let done = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let ctrl: ReadableStreamDefaultController<Uint8Array>
  const reader = body.getReader()
  const finish = (aborted: boolean) => {
    if (done) return
    done = true
    if (timer !== undefined) clearTimeout(timer)
    onEnd(bytes, aborted)
  }
  const stalled = () => {
    const err = new GatewayError(504, 'upstream_idle_timeout', 'upstream body stalled')
    ctrl.error(err)
    reader.cancel(err).catch(() => {})
    finish(true)
  }
  // Re-armed per chunk; clearTimeout+setTimeout is portable (workerd/Deno timers are numbers).
  const arm = idleMs > 0 ? () => { clearTimeout(timer); timer = setTimeout(stalled, idleMs) } : null
  return new ReadableStream<Uint8Array>({
    start(controller) {
      ctrl = controller
      arm?.()
    },
    async pull(controller) {
      try {
        const { value, done: end } = await reader.read()
        if (done) return
        if (end) {
          controller.close()
          finish(false)
          return
        }
        bytes += value.byteLength
        arm?.()
        controller.enqueue(value)
      } catch (err) {
        if (done) return
        controller.error(err)
        finish(true)
      }
    },
    cancel(reason) {
      finish(true)
      return reader.cancel(reason)
    },
  })
}
