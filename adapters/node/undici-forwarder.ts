/**
 * Node's forwarder: one keep-alive undici Pool per upstream origin (no per-request agent).
 * WHATWG fetch on Node costs ~5× the CPU of undici's dispatcher API for the same bytes
 * (architecture.md, performance facts), so Node never uses `fetch` for upstream traffic.
 * When the core allows it (`req.direct`), the upstream answer is streamed straight into the
 * ServerResponse with `Pool.stream`, and the client's IncomingMessage is the request body:
 * no WHATWG Request/Response/stream objects on the data path at all.
 * @module
 */
import type { HttpBindings } from '@hono/node-server'
import type { ServerResponse } from 'node:http'
import { Readable, Writable } from 'node:stream'
import type { ReadableStream as NodeWebStream } from 'node:stream/web'
import { Pool } from 'undici'
import { GatewayError } from '../../src/gateway/errors.ts'
import type { Forwarder, UpstreamRequest } from '../../src/gateway/types.ts'
import { upstreamFailure } from '../../src/proxy/fetch-forwarder.ts'

export interface UndiciForwarder {
  forward: Forwarder
  close(): Promise<void>
}

type RawHeaders = Record<string, string | string[] | undefined>

function flatHeaders(headers: Headers): string[] {
  const out: string[] = []
  for (const [k, v] of headers) if (k !== 'set-cookie') out.push(k, v)
  return out
}

function toHeaders(raw: RawHeaders): Headers {
  const out = new Headers()
  for (const name in raw) {
    const v = raw[name]
    if (v === undefined) continue
    if (Array.isArray(v)) for (const item of v) out.append(name, item)
    else out.append(name, v)
  }
  return out
}

function failure(err: unknown, signal: AbortSignal): GatewayError {
  const code = (err as { code?: string }).code
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new GatewayError(504, 'upstream_timeout', 'upstream did not answer in time')
  return upstreamFailure(err, signal, false)
}

/** Counts body bytes for the access log when the upstream sent no Content-Length. */
function countingSink(out: ServerResponse, onBytes: (n: number) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length)
      if (out.write(chunk)) cb()
      else out.once('drain', () => cb())
    },
    final(cb) {
      out.end(cb)
    },
    destroy(err, cb) {
      if (err) out.destroy(err)
      cb(err)
    },
  })
}

export function createUndiciForwarder(): UndiciForwarder {
  const pools = new Map<string, Pool>()
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin)
    if (pool === undefined) {
      pool = new Pool(origin, { keepAliveTimeout: 4_000, connectTimeout: 10_000 })
      pools.set(origin, pool)
    }
    return pool
  }

  async function undiciForward(req: UpstreamRequest, info: { native?: unknown }): Promise<Response | null> {
    // The origin is everything before the third slash: "http://host:port/path?q".
    const slash = req.url.indexOf('/', req.url.indexOf('//') + 2)
    const origin = slash === -1 ? req.url : req.url.slice(0, slash)
    const path = slash === -1 ? '/' : req.url.slice(slash)
    const native = info.native as HttpBindings | undefined
    let body: Readable | Uint8Array | null
    if (req.body === undefined) {
      body = native !== undefined ? native.incoming : req.original.body === null ? null : Readable.fromWeb(req.original.body as NodeWebStream)
    } else {
      body = req.body === null || req.body instanceof Uint8Array ? req.body : Readable.fromWeb(req.body as NodeWebStream)
    }
    const options = {
      method: req.method,
      path,
      headers: flatHeaders(req.headers),
      body,
      headersTimeout: req.headerTimeoutMs,
      bodyTimeout: req.idleTimeoutMs,
    }

    if (req.direct !== undefined && native !== undefined) {
      const out = native.outgoing as ServerResponse
      const direct = req.direct
      const abort = new AbortController()
      const onClose = () => {
        if (!out.writableFinished) abort.abort()
      }
      out.once('close', onClose)
      let status = 0
      let bytes = 0
      try {
        await poolFor(origin).stream({ ...options, signal: abort.signal }, ({ statusCode, headers }) => {
          const raw = headers as RawHeaders
          status = statusCode
          direct.head(statusCode, raw)
          out.writeHead(statusCode, raw as Record<string, string | string[]>)
          const length = raw['content-length']
          if (typeof length === 'string') {
            bytes = Number(length)
            return out
          }
          return countingSink(out, (n) => {
            bytes += n
          })
        })
        direct.end(status, bytes, false)
        return null
      } catch (err) {
        if (!out.headersSent) throw failure(err, abort.signal)
        // Mid-body failure or client gone: the status is sent, so cut the connection.
        out.destroy()
        direct.end(status, bytes, true)
        return null
      } finally {
        out.off('close', onClose)
      }
    }

    try {
      const signal = req.cancel ? AbortSignal.any([req.original.signal, req.cancel]) : req.original.signal
      const res = await poolFor(origin).request({ ...options, signal })
      // A failed body must not crash the process: undici destroys it with an error.
      res.body.on('error', ignore)
      const status = res.statusCode
      const nullBody = status === 204 || status === 304
      if (nullBody) res.body.resume()
      const webBody = nullBody ? null : nodeToWeb(res.body)
      return new Response(webBody, { status, headers: toHeaders(res.headers as RawHeaders) })
    } catch (err) {
      throw failure(err, req.cancel?.aborted ? req.cancel : req.original.signal)
    }
  }

  return {
    forward: undiciForward,
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close().catch(() => {})))
      pools.clear()
    },
  }
}

function ignore(): void {}

/**
 * Node Readable → Web stream. Not `Readable.toWeb`: on Node 24 a chunk already in flight when
 * the Web side is cancelled (a retry discarding a 503 body) is enqueued on the closed
 * controller and the TypeError escapes as an uncaught exception, killing the process.
 */
function nodeToWeb(body: Readable): ReadableStream<Uint8Array> {
  let done = false
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on('data', (chunk: Buffer) => {
        if (done) return
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if ((controller.desiredSize ?? 1) <= 0) body.pause()
      })
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
    },
    pull() {
      body.resume()
    },
    cancel() {
      done = true
      body.destroy()
    },
  })
}
