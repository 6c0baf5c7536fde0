/**
 * Node's forwarder: one keep-alive undici Pool per upstream origin (no per-request agent).
 * WHATWG fetch on Node costs ~5× the CPU of undici's dispatcher API for the same bytes
 * (architecture.md, performance facts), so Node never uses `fetch` for upstream traffic.
 * When the core allows it (`req.direct`), the upstream answer is streamed straight into the
 * ServerResponse by a dispatch handler (direct-exchange.ts), and the client's IncomingMessage is the request body:
 * no WHATWG Request/Response/stream objects on the data path at all.
 * @module
 */
import { Readable } from 'node:stream'
import type { ReadableStream as NodeWebStream } from 'node:stream/web'
import { Pool } from 'undici'
import { GatewayError } from '../../src/core/errors.ts'
import type { Forwarder, UpstreamAnswer, UpstreamRequest } from '../../src/core/runtime.ts'
import { upstreamFailure } from '../../src/proxy/fetch-forwarder.ts'
import { DirectExchange } from './direct-exchange.ts'
import type { NodeBindings } from '../server/node-http/listener.ts'
import { nodeToWeb } from '../server/node-http/streams.ts'

export interface UndiciForwarder {
  forward: Forwarder
  close(): Promise<void>
}

type RawHeaders = Record<string, string | string[] | undefined>

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

/** A signal that never aborts: the direct path learns of a gone client from its response. */
const NEVER = new AbortController().signal

function directFailure(err: unknown): GatewayError {
  return failure(err, NEVER)
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

  async function undiciForward(req: UpstreamRequest, info: { native?: unknown }): Promise<UpstreamAnswer> {
    // The origin is everything before the third slash: "http://host:port/path?q".
    const slash = req.url.indexOf('/', req.url.indexOf('//') + 2)
    const origin = slash === -1 ? req.url : req.url.slice(0, slash)
    const path = slash === -1 ? '/' : req.url.slice(slash)
    const native = info.native as NodeBindings | undefined
    let body: Readable | Uint8Array | null
    if (req.body === undefined) {
      body = native !== undefined ? native.incoming : req.original.body === null ? null : Readable.fromWeb(req.original.body as NodeWebStream)
    } else {
      body = req.body === null || req.body instanceof Uint8Array ? req.body : Readable.fromWeb(req.body as NodeWebStream)
    }
    const options = {
      method: req.method,
      path,
      headers: req.headers.flat,
      body,
      headersTimeout: req.headerTimeoutMs,
      bodyTimeout: req.idleTimeoutMs,
    }

    if (req.direct !== undefined && native !== undefined) {
      const exchange = new DirectExchange(native.outgoing, req.direct, directFailure)
      poolFor(origin).dispatch(options, exchange)
      return exchange.done
    }

    try {
      const signal = req.cancel ? AbortSignal.any([req.original.signal, req.cancel]) : req.original.signal
      const res = await poolFor(origin).request({ ...options, signal })
      // A failed body must not crash the process: undici destroys it with an error.
      res.body.on('error', ignore)
      const status = res.statusCode
      if (status < 200) {
        res.body.resume()
        throw new GatewayError(502, 'upstream_unreachable', 'upstream sent an interim (1xx) response as its final answer')
      }
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
