/**
 * The headers a reverse proxy adds on the way upstream: X-Forwarded-For/Proto/Host and Via.
 * @module
 */
import type { HeaderBag } from '../core/headers.ts'

export interface ForwardedFacts {
  /** Address of the peer that connected to us (not the resolved client). */
  peer: string
  proto: string
  host: string
  /** Whether the peer is a configured trusted proxy, whose X-Forwarded-Proto/Host we keep. */
  peerTrusted: boolean
}

/**
 * X-Forwarded-For is always appended to (as nginx's $proxy_add_x_forwarded_for): upstreams
 * read it right to left, and the entry we add is the one address we saw ourselves. Proto and
 * Host are replaced unless the peer is trusted, since an untrusted client could forge them.
 */
export function setForwardedHeaders(out: HeaderBag, incoming: Pick<HeaderBag, 'get'>, facts: ForwardedFacts): void {
  const prior = incoming.get('x-forwarded-for')
  out.set('x-forwarded-for', prior ? `${prior}, ${facts.peer}` : facts.peer)
  if (!facts.peerTrusted || !out.has('x-forwarded-proto')) out.set('x-forwarded-proto', facts.proto)
  if (!facts.peerTrusted || !out.has('x-forwarded-host')) out.set('x-forwarded-host', facts.host)
  // RFC 9110 §7.6.3: each intermediary appends its protocol version and pseudonym.
  const via = incoming.get('via')
  out.set('via', via ? `${via}, 1.1 portico` : '1.1 portico')
}
