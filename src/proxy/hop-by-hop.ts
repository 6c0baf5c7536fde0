/**
 * Hop-by-hop header hygiene. RFC 9110 §7.6.1: Connection, and every field it names, apply
 * to one connection only and must not be forwarded; Proxy-Connection, Keep-Alive, TE,
 * Transfer-Encoding and Upgrade are hop-by-hop by definition (RFC 9112 §9.6, RFC 7230 §6.1).
 * @module
 */
import { type HeaderBag, HeaderList } from '../core/headers.ts'

const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

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
 * Copies `source` without hop-by-hop fields, and without any name in `drop` (lower-case: the
 * caller sets those itself). One pass appending what is kept: a native copy followed by deletes
 * was measured several times slower, because each delete re-validates its name (figures in
 * docs/performance.md). Set-Cookie values stay separate: Headers iteration yields each one on
 * its own (Fetch standard §5.2).
 */
export function copyEndToEnd(source: Headers, drop?: ReadonlySet<string>): Headers {
  return copyInto(source, drop, new Headers())
}

/** The same copy into a HeaderList, for the upstream request (header-list.ts). */
export function copyEndToEndList(source: ReadOnlyHeaders, drop?: ReadonlySet<string>): HeaderList {
  return copyInto(source, drop, new HeaderList())
}

function copyInto<T extends Pick<HeaderBag, 'append'>>(source: ReadOnlyHeaders, drop: ReadonlySet<string> | undefined, out: T): T {
  const connection = source.get('connection')
  const named = connection === null ? null : connectionTokens(connection)
  source.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || drop?.has(name) || named?.includes(name)) return
    out.append(name, value)
  })
  return out
}

/**
 * The same rules applied to a Headers in place: for a runtime whose fetch Responses may be
 * edited (Bun), where this replaces a copy into a new Headers and a new Response.
 */
export function stripHopByHop(headers: HeaderBag): void {
  const connection = headers.get('connection')
  if (connection !== null) for (const name of connectionTokens(connection)) headers.delete(name)
  for (const name of HOP_BY_HOP) if (headers.has(name)) headers.delete(name)
}

/** The reading half of Headers, which a received request's headers provide on every runtime. */
export interface ReadOnlyHeaders {
  get(name: string): string | null
  forEach(fn: (value: string, name: string) => void): void
}

/** The same rules on a plain header record (lower-case names), in place: for native responses. */
export function stripHopByHopRecord(headers: Record<string, string | string[] | undefined>): void {
  const connection = headers.connection
  if (connection !== undefined) {
    for (const name of connectionTokens(Array.isArray(connection) ? connection.join(',') : connection)) delete headers[name]
  }
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name]
}
