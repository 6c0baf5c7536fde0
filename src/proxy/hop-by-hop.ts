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
 * Copies `source` without hop-by-hop fields into a fresh Headers in one pass, skipping any
 * name in `drop` too (lower-case) — the caller's forwarded/request-id headers are set after.
 */
export function copyEndToEnd(source: Headers, drop?: ReadonlySet<string>): Headers {
  const connection = source.get('connection')
  const listed = connection === null ? null : new Set(connectionTokens(connection))
  const out = new Headers()
  for (const [name, value] of source) {
    // Headers iteration yields lower-case names (Fetch standard §5.2).
    if (HOP_BY_HOP.has(name)) continue
    if (listed?.has(name)) continue
    if (drop?.has(name)) continue
    if (name === 'set-cookie') continue // appended below: iteration joins them otherwise
    out.append(name, value)
  }
  if (!drop?.has('set-cookie')) for (const cookie of source.getSetCookie()) out.append('set-cookie', cookie)
  return out
}

/** True when a response from upstream carries no hop-by-hop field (lets us skip the copy). */
export function hasHopByHop(headers: Headers): boolean {
  for (const name of HOP_BY_HOP) if (headers.has(name)) return true
  return false
}

/** The same rules on a plain header record (lower-case names), in place: for native responses. */
export function stripHopByHopRecord(headers: Record<string, string | string[] | undefined>): void {
  const connection = headers.connection
  if (connection !== undefined) {
    for (const name of connectionTokens(Array.isArray(connection) ? connection.join(',') : connection)) delete headers[name]
  }
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name]
}
