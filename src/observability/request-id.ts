/**
 * Request ids: a client's X-Request-ID is kept when it is sane (printable ASCII, bounded),
 * so ids correlate across hops; otherwise a random UUID is made.
 * @module
 */

const SAFE_ID = /^[\x21-\x7e]{1,200}$/

export function requestIdFrom(headers: Headers): string {
  const given = headers.get('x-request-id')
  return given !== null && SAFE_ID.test(given) ? given : crypto.randomUUID()
}
