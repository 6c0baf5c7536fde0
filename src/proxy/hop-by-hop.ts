/**
 * Hop-by-hop header hygiene. RFC 9110 §7.6.1: Connection, and every field it names, apply
 * to one connection only and must not be forwarded; Proxy-Connection, Keep-Alive, TE,
 * Transfer-Encoding and Upgrade are hop-by-hop by definition (RFC 9112 §9.6, RFC 7230 §6.1).
 * Per direction on top of those: Proxy-Authorization (requests) and Proxy-Authenticate
 * (responses) are scoped to the next hop (RFC 9110 §11.7.1–2), as Go's ReverseProxy drops
 * them; Expect is answered by the listener in front of us, which has already sent (or
 * skipped) the 100 Continue, and forwarding it would make the upstream send one more interim
 * response to a client that is already sending (RFC 9110 §10.1.1).
 * @module
 */
import { GatewayError } from '../core/errors.ts'
import { type HeaderBag, HeaderList } from '../core/headers.ts'

const HOP_BY_HOP = ['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']
const REQUEST_HOP = new Set([...HOP_BY_HOP, 'proxy-authorization', 'expect'])
const RESPONSE_HOP = new Set([...HOP_BY_HOP, 'proxy-authenticate'])

/** RFC 9110 §5.6.2 tchar, indexed by char code. */
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1

/**
 * Whether `name` is a field name (RFC 9110 §5.1: a token). Node's, Bun's and Deno's parsers
 * refuse other names, but the core does not rely on the listener in front of it (workerd's
 * local server, an embedding's own parser) for what it puts on the wire upstream. A table
 * lookup per byte costs ~15 ns a name; a regex was ~25.
 */
export function isFieldName(name: string): boolean {
  const n = name.length
  if (n === 0) return false
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i)
    if (c > 127 || TCHAR[c] === 0) return false
  }
  return true
}

/** Names listed in Connection (comma separated tokens), lower-cased. */
function connectionTokens(value: string): string[] {
  const out: string[] = []
  for (const token of value.split(',')) {
    const t = token.trim().toLowerCase()
    if (t !== '') out.push(t)
  }
  return out
}

/**
 * Copies response headers `source` without hop-by-hop fields, and without any name in `drop`
 * (lower-case: the caller sets those itself). One pass appending what is kept: a native copy
 * followed by deletes was measured several times slower, because each delete re-validates its
 * name (figures in docs/performance.md). Set-Cookie values stay separate: Headers iteration
 * yields each one on its own (Fetch standard §5.2).
 */
export function copyEndToEnd(source: Headers, drop?: ReadonlySet<string>): Headers {
  const out = new Headers()
  const named = connectionNamed(source)
  source.forEach((value, name) => {
    if (RESPONSE_HOP.has(name) || drop?.has(name) || named?.includes(name)) return
    out.append(name, value)
  })
  return out
}

/**
 * The same copy of a received request's headers into a HeaderList for the upstream request
 * (core/headers.ts), with the request-direction fields dropped. A name that is not a token
 * (RFC 9110 §5.1) is refused with a 400 before anything is sent: the HeaderList is not
 * validated again until the forwarder writes it, and some forwarders write it as given.
 */
export function copyEndToEndList(source: ReadOnlyHeaders, drop?: ReadonlySet<string>): HeaderList {
  const out = new HeaderList()
  const named = connectionNamed(source)
  source.forEach((value, name) => {
    if (!isFieldName(name)) throw invalidFieldName()
    if (REQUEST_HOP.has(name) || drop?.has(name) || named?.includes(name)) return
    out.append(name, value)
  })
  return out
}

function connectionNamed(source: ReadOnlyHeaders): string[] | null {
  const connection = source.get('connection')
  return connection === null ? null : connectionTokens(connection)
}

function invalidFieldName(): GatewayError {
  return new GatewayError(400, 'bad_request', 'request header field name is not a token (RFC 9110 §5.1)')
}

/**
 * The response rules applied in place: to a Headers whose fetch Responses may be edited (Bun),
 * and to Node's raw head record through RawHeaders (the direct path).
 */
export function stripHopByHop(headers: HeaderBag): void {
  const connection = headers.get('connection')
  if (connection !== null) for (const name of connectionTokens(connection)) headers.delete(name)
  for (const name of RESPONSE_HOP) if (headers.has(name)) headers.delete(name)
}

/** The reading half of Headers, which a received request's headers provide on every runtime. */
export interface ReadOnlyHeaders {
  get(name: string): string | null
  forEach(fn: (value: string, name: string) => void): void
}
