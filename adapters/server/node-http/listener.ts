/**
 * The node:http request listener of the proxy listeners: hands the gateway a NodeRequest (no
 * WHATWG Request, Headers or AbortController unless a policy reads them) and writes the
 * Response it answers with, unless the forwarder already streamed the upstream answer into
 * the ServerResponse itself (the gateway answers `Sent`). A Request facade converting every
 * answer costs ~3 µs per request (docs/performance.md, "Node listener"); the admin listener,
 * a Hono app, still uses @hono/node-server's.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { GatewayError, errorResponse } from '../../../src/core/errors.ts'
import { isSent, type RequestInfo, type Sent } from '../../../src/core/runtime.ts'
import { NodeRequest } from './request.ts'
import { nodeToWeb } from './streams.ts'

/** The client's body as a Web stream that reads nothing until first read. */
const requestBody = (incoming: IncomingMessage) => nodeToWeb(incoming, 0, true)

export type GatewayHandle = (request: Request, info: RequestInfo) => Promise<Response | Sent>

/** What the forwarder reads from `RequestInfo.native`: the node:http pair. */
export interface NodeBindings {
  incoming: IncomingMessage
  outgoing: ServerResponse
}

export function createNodeListener(
  handle: () => GatewayHandle,
  extra?: (incoming: IncomingMessage) => Pick<RequestInfo, 'clientCert'>,
): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  return function porticoNode(incoming, outgoing) {
    let target = incoming.url ?? '/'
    // Origin-form (RFC 9112 §3.2.1), or absolute-form, which a server must accept (§3.2.2);
    // `*` (OPTIONS to the server itself) is not routed.
    if (target.charCodeAt(0) !== 47) {
      const abs = absoluteForm(target)
      if (abs === null) return void writeError(new GatewayError(400, 'bad_request', 'request target must be a path or an absolute URL'), outgoing)
      // RFC 9112 §3.2.2: the target's authority replaces any Host field, for routing and onwards.
      incoming.headers.host = abs.authority
      target = abs.path
    }
    const secure = (incoming.socket as { encrypted?: boolean }).encrypted === true
    const url = `${secure ? 'https' : 'http'}://${incoming.headers.host ?? 'localhost'}${target}`
    const request = new NodeRequest(incoming, outgoing, url, requestBody) as unknown as Request
    const info: RequestInfo = {
      remoteAddr: incoming.socket.remoteAddress ?? '',
      native: { incoming, outgoing } satisfies NodeBindings,
    }
    if (extra !== undefined) Object.assign(info, extra(incoming))
    handle()(request, info).then(
      (response) => {
        // Sent: the forwarder streamed the upstream answer into `outgoing` itself.
        if (!isSent(response)) return writeResponse(response, outgoing)
      },
      // The gateway answers every failure itself; a last guard, rendered without a stack trace.
      (err: unknown) => {
        if (outgoing.headersSent) outgoing.destroy()
        else void writeError(err, outgoing)
      },
    )
  }
}

/** `http://authority/path?q` (scheme case-insensitive) split into a non-empty authority and an origin-form path. */
export function absoluteForm(target: string): { authority: string; path: string } | null {
  const m = /^https?:\/\/([^/?#\s@]+)([/?][^#\s]*)?$/i.exec(target)
  if (m === null) return null
  const rest = m[2] ?? '/'
  return { authority: m[1], path: rest.charCodeAt(0) === 47 ? rest : `/${rest}` }
}

/** The gateway's JSON error shape, for what is refused before the gateway sees it. */
function writeError(err: unknown, out: ServerResponse): Promise<void> {
  return writeResponse(errorResponse(err, crypto.randomUUID()), out)
}

/**
 * The next chunk if the stream has it at hand (it resolves within a few microtasks: a body built
 * from a string or buffer), else `pending`, whose read keeps running: a stream that is still
 * waiting on its upstream must not hold back what came before it.
 */
function readAtHand<T>(read: Promise<T>): Promise<T | 'pending'> {
  const later = Promise.resolve().then(() => Promise.resolve('pending' as const))
  return Promise.race([read, later])
}

/**
 * Writes a WHATWG Response into the ServerResponse. A body whose whole content is at hand (the
 * gateway's JSON errors, echo answers) goes out with Content-Length in one write; any other is
 * streamed chunked with backpressure, the head written at once and each chunk as it arrives (an
 * SSE event is never held behind the next one). A body that fails part-way cuts the connection:
 * the status is already sent, and a clean end would pass a truncated body off as complete.
 */
export async function writeResponse(response: Response, out: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  const body = response.body
  if (body === null) {
    out.writeHead(response.status, headers)
    out.end()
    return
  }
  const reader = body.getReader()
  const abort = () => void reader.cancel().catch(() => {})
  out.once('close', abort)
  try {
    let read = reader.read()
    const first = await readAtHand(read)
    if (first !== 'pending' && headers['content-length'] === undefined) {
      if (first.done) {
        headers['content-length'] = '0'
        out.writeHead(response.status, headers)
        return void out.end()
      }
      read = reader.read()
      const second = await readAtHand(read)
      if (second !== 'pending' && second.done) {
        headers['content-length'] = String(first.value.byteLength)
        out.writeHead(response.status, headers)
        return void out.end(first.value)
      }
      out.writeHead(response.status, headers)
      await write(out, first.value)
    } else {
      out.writeHead(response.status, headers)
      if (first !== 'pending') {
        if (first.done) return void out.end()
        await write(out, first.value)
        read = reader.read()
      }
    }
    for (let next = await read; !next.done; next = await reader.read()) await write(out, next.value)
    out.end()
  } catch {
    out.destroy()
  } finally {
    out.off('close', abort)
  }
}

function write(out: ServerResponse, chunk: Uint8Array): Promise<void> | void {
  if (out.destroyed) throw new Error('client gone')
  if (out.write(chunk)) return
  return new Promise((resolve, reject) => {
    const done = () => {
      out.off('drain', done)
      out.off('close', done)
      if (out.destroyed && !out.writableFinished) reject(new Error('client gone'))
      else resolve()
    }
    out.on('drain', done)
    out.on('close', done)
  })
}
