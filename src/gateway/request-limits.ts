/**
 * Request-shape limits checked before routing: URL length (414), header count and total header
 * size (431, RFC 6585 §5). They bound the work an abusive request can cause in every runtime;
 * Node also enforces `max_header_bytes` in its parser (`maxHeaderSize`). Listener values are
 * combined strictest-first, because the core does not know which listener a request came in on.
 * @module
 */
import type { ListenerConfig } from '../config/types.ts'
import { GatewayError } from '../core/errors.ts'

export interface RequestLimits {
  maxUrlBytes: number
  maxHeaders: number
  maxHeaderBytes: number
}

/** nginx's large_client_header_buffers (8 KiB) for the URL; Envoy's max_headers_count (100). */
export const DEFAULT_LIMITS: RequestLimits = { maxUrlBytes: 8192, maxHeaders: 100, maxHeaderBytes: 65_536 }

export function requestLimitsOf(listeners: ListenerConfig[]): RequestLimits {
  const http = listeners.filter((l) => l.protocol === 'http').map((l) => l.http)
  const min = (values: (number | undefined)[], fallback: number) => {
    const set = values.filter((v): v is number => v !== undefined)
    return set.length === 0 ? fallback : Math.min(...set)
  }
  return {
    maxUrlBytes: min(http.map((h) => h.max_url_bytes), DEFAULT_LIMITS.maxUrlBytes),
    maxHeaders: min(http.map((h) => h.max_headers), DEFAULT_LIMITS.maxHeaders),
    maxHeaderBytes: min(http.map((h) => h.max_header_bytes), DEFAULT_LIMITS.maxHeaderBytes),
  }
}

/** The error to answer with, or null. `targetLength`: length of the request target (path + query). */
export function checkRequestLimits(targetLength: number, headers: Headers, limits: RequestLimits): GatewayError | null {
  if (targetLength > limits.maxUrlBytes) {
    return new GatewayError(414, 'uri_too_long', `request target longer than ${limits.maxUrlBytes} bytes`)
  }
  let count = 0
  let bytes = 0
  // forEach, not for-of: the entries iterator allocates a [name, value] pair per field.
  headers.forEach((v, k) => {
    count++
    bytes += k.length + v.length + 4 // ": " and CRLF, as on the wire
  })
  if (count > limits.maxHeaders) return new GatewayError(431, 'header_fields_too_large', `more than ${limits.maxHeaders} header fields`)
  if (bytes > limits.maxHeaderBytes) return new GatewayError(431, 'header_fields_too_large', `header fields larger than ${limits.maxHeaderBytes} bytes`)
  return null
}
