/**
 * Node's forwarder: one keep-alive undici Pool per upstream origin (no per-request agent).
 * WHATWG fetch on Node costs ~5× the CPU of undici's dispatcher API for the same bytes
 * (architecture.md, performance facts), so Node never uses `fetch` for upstream traffic.
 * @module
 */
import { Readable } from 'node:stream'
import { Pool } from 'undici'
import { GatewayError } from '../../src/gateway/errors.ts'
import type { Forwarder, UpstreamRequest } from '../../src/gateway/types.ts'
import { upstreamFailure } from '../../src/proxy/fetch-forwarder.ts'

export interface UndiciForwarderOptions {
  /** Idle keep-alive sockets are closed after this long (ms). */
  keepAliveTimeoutMs?: number
  connectTimeoutMs?: number
}

export interface UndiciForwarder {
  forward: Forwarder
  close(): Promise<void>
}

function flatHeaders(headers: Headers): string[] {
  const out: string[] = []
  for (const [k, v] of headers) {
    if (k === 'set-cookie') continue
    out.push(k, v)
  }
  return out
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const out = new Headers()
  for (const name in raw) {
    const v = raw[name]
    if (v === undefined) continue
    if (Array.isArray(v)) for (const item of v) out.append(name, item)
    else out.append(name, v)
  }
  return out
}

export function createUndiciForwarder(options: UndiciForwarderOptions = {}): UndiciForwarder {
  const pools = new Map<string, Pool>()
  const poolOptions = {
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
  }

  function poolFor(origin: string): Pool {
    let pool = pools.get(origin)
    if (pool === undefined) {
      pool = new Pool(origin, poolOptions)
      pools.set(origin, pool)
    }
    return pool
  }

  async function undiciForward(req: UpstreamRequest): Promise<Response> {
    // The origin is everything before the third slash: "http://host:port/path?q".
    const slash = req.url.indexOf('/', req.url.indexOf('//') + 2)
    const origin = slash === -1 ? req.url : req.url.slice(0, slash)
    const path = slash === -1 ? '/' : req.url.slice(slash)
    try {
      const res = await poolFor(origin).request({
        method: req.method,
        path,
        headers: flatHeaders(req.headers),
        body: req.body === null || req.body instanceof Uint8Array ? req.body : Readable.fromWeb(req.body as import('node:stream/web').ReadableStream),
        signal: req.signal,
        headersTimeout: req.headerTimeoutMs,
        // The core's idle timer governs body gaps on every runtime alike.
        bodyTimeout: 0,
      })
      // An aborted/failed body must not crash the process: undici destroys it with an error.
      res.body.on('error', ignore)
      const status = res.statusCode
      const body = status === 204 || status === 304 ? null : (Readable.toWeb(res.body) as unknown as ReadableStream<Uint8Array>)
      if (body === null) res.body.resume()
      return new Response(body, { status, headers: toHeaders(res.headers) })
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'UND_ERR_HEADERS_TIMEOUT') {
        throw new GatewayError(504, 'upstream_timeout', 'upstream did not answer in time')
      }
      throw upstreamFailure(err, req.signal, false)
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
