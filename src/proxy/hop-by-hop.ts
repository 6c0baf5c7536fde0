/**
 * Hop-by-hop header hygiene. RFC 9110 §7.6.1: Connection, and every field it names, apply
 * to one connection only and must not be forwarded; Proxy-Connection, Keep-Alive, TE,
 * Transfer-Encoding and Upgrade are hop-by-hop by definition (RFC 9112 §9.6, RFC 7230 §6.1).
 * @module
 */

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
 * caller sets those itself). The copy is the runtime's native Headers copy, then deletes: on
 * Bun and Deno that is several times cheaper than rebuilding field by field in JS.
 */
export function copyEndToEnd(source: Headers, drop?: ReadonlySet<string>): Headers {
  const out = new Headers(source)
  const connection = source.get('connection')
  if (connection !== null) for (const name of connectionTokens(connection)) out.delete(name)
  for (const name of HOP_BY_HOP) out.delete(name)
  if (drop !== undefined) for (const name of drop) out.delete(name)
  return out
}

/** The same rules on a plain header record (lower-case names), in place: for native responses. */
export function stripHopByHopRecord(headers: Record<string, string | string[] | undefined>): void {
  const connection = headers.connection
  if (connection !== undefined) {
    for (const name of connectionTokens(Array.isArray(connection) ? connection.join(',') : connection)) delete headers[name]
  }
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name]
}
