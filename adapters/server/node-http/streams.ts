/**
 * Stream glue for Node's adapter.
 * @module
 */
import type { Readable } from 'node:stream'

/**
 * Node Readable → Web stream. Not `Readable.toWeb`: on Node 24 a chunk already in flight when
 * the Web side is cancelled (a retry discarding a 503 body) is enqueued on the closed
 * controller and the TypeError escapes as an uncaught exception, killing the process.
 * Nothing is read from `body` before the Web side first pulls: with `highWaterMark` 0 (a client's
 * request body) that is the first read, so a policy that only looks at `request.body` leaves
 * the IncomingMessage untouched for the forwarder to stream. `discardOnCancel` (a client's body
 * refused part-way, e.g. over max_body_size) reads and drops the rest instead of destroying the
 * stream: destroying an IncomingMessage destroys its socket, and the client, still sending, would
 * get EPIPE instead of the 413 written for it.
 */
export function nodeToWeb(body: Readable, highWaterMark = 1, discardOnCancel = false): ReadableStream<Uint8Array> {
  let done = false
  let attached = false
  let onData: ((chunk: Buffer) => void) | null = null
  const attach = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    onData = (chunk: Buffer) => {
      if (done) return
      controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
      if ((controller.desiredSize ?? 1) <= 0) body.pause()
    }
    body.on('data', onData)
    body.once('end', () => {
      if (done) return
      done = true
      controller.close()
    })
    body.once('error', (err) => {
      if (done) return
      done = true
      controller.error(err)
    })
  }
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (attached) return void body.resume()
        attached = true
        attach(controller)
      },
      cancel() {
        done = true
        if (!discardOnCancel) return void body.destroy()
        if (onData !== null) body.off('data', onData)
        body.resume()
      },
    },
    { highWaterMark },
  )
}
