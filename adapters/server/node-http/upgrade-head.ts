/**
 * Reading an upstream's answer to a WebSocket handshake off a raw socket: the status line and
 * fields (RFC 9112 §4–5), and for an answer other than 101 its body (§6.3: Content-Length,
 * chunked, or until close), bounded: such answers are error pages, and one larger than the bound
 * is treated as a failed exchange rather than buffered.
 * @module
 */
import type { Duplex } from 'node:stream'
import { GatewayError } from '../../../src/core/errors.ts'

/** The largest answer head accepted (Node's own default maxHeaderSize is 16 KiB). */
const MAX_HEAD = 64 * 1024
/** The largest non-101 body relayed. */
export const MAX_REFUSAL_BODY = 1024 * 1024

export interface AnswerHead {
  status: number
  /** name (lower-case), value pairs as received. */
  fields: [string, string][]
  /** Bytes after the head: the first tunnel bytes after a 101, else the start of the body. */
  rest: Buffer
}

const invalid = () => new GatewayError(502, 'upstream_invalid', 'upstream sent an invalid answer to the WebSocket handshake')

/** The first bytes of `socket` up to the end of a head; rejects on close, error or an oversized head. */
export function readHead(socket: Duplex): Promise<AnswerHead> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0)
    const done = (err: Error | null, head?: AnswerHead) => {
      socket.off('data', onData)
      socket.off('close', onClose)
      socket.off('error', onClose)
      if (err !== null) reject(err)
      else resolve(head!)
    }
    const onClose = () => done(new GatewayError(502, 'upstream_unreachable', 'upstream closed the connection before answering the handshake'))
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end === -1) return void (buf.length > MAX_HEAD && done(invalid()))
        const head = parseHead(buf.subarray(0, end).toString('latin1'), buf.subarray(end + 4))
        if (head === null) return done(invalid())
        // RFC 9110 §15.2: interim answers (100, 102, 103) before the final one are skipped; 101 is final here.
        if (head.status >= 100 && head.status < 200 && head.status !== 101) {
          buf = head.rest
          continue
        }
        socket.pause()
        return done(null, head)
      }
    }
    socket.on('data', onData)
    socket.once('close', onClose)
    socket.once('error', onClose)
  })
}

function parseHead(text: string, rest: Buffer): AnswerHead | null {
  const lines = text.split('\r\n')
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0])
  if (m === null) return null
  const fields: [string, string][] = []
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':')
    if (colon <= 0) return null
    fields.push([lines[i].slice(0, colon).trim().toLowerCase(), lines[i].slice(colon + 1).trim()])
  }
  return { status: Number(m[1]), fields, rest }
}

const field = (head: AnswerHead, name: string) => head.fields.find(([n]) => n === name)?.[1] ?? null

/** The body of a non-101 answer, de-chunked, at most MAX_REFUSAL_BODY bytes. */
export function readBody(socket: Duplex, head: AnswerHead): Promise<Uint8Array> {
  if (head.status === 204 || head.status === 304) return Promise.resolve(new Uint8Array(0))
  const chunked = /(^|,)\s*chunked\s*$/i.test(field(head, 'transfer-encoding') ?? '')
  const length = chunked ? -1 : Number(field(head, 'content-length') ?? -1)
  if (!chunked && length > MAX_REFUSAL_BODY) return Promise.reject(invalid())
  return new Promise((resolve, reject) => {
    let buf: Buffer = head.rest
    const finish = (err: Error | null, body?: Uint8Array) => {
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('error', onEnd)
      if (err === null) resolve(body!)
      else reject(err)
    }
    const check = (ended: boolean) => {
      if (chunked) {
        const body = dechunk(buf)
        if (body !== null) return finish(null, body)
      } else if (length >= 0 && buf.length >= length) return finish(null, buf.subarray(0, length))
      if (buf.length > MAX_REFUSAL_BODY + 4096) return finish(invalid())
      // Neither length nor chunked: the body ends with the connection (RFC 9112 §6.3, item 8).
      if (ended) return length < 0 && !chunked ? finish(null, buf) : finish(invalid())
    }
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      check(false)
    }
    const onEnd = () => check(true)
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.once('error', onEnd)
    socket.resume()
    check(false)
  })
}

/** A complete chunked body decoded (trailers dropped), or null while more bytes are needed. */
function dechunk(buf: Buffer): Uint8Array | null {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = buf.indexOf('\r\n', at)
    if (eol === -1) return null
    const size = Number.parseInt(buf.subarray(at, eol).toString('latin1').split(';')[0].trim(), 16)
    if (Number.isNaN(size)) return new Uint8Array(0)
    // The last chunk, then trailer fields up to an empty line (RFC 9112 §7.1).
    if (size === 0) return buf.indexOf('\r\n\r\n', eol) === -1 ? null : Buffer.concat(parts)
    if (buf.length < eol + 2 + size + 2) return null
    parts.push(buf.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}
