/**
 * Per-request state handed through the pipeline. One object per request, no closures.
 * @module
 */
import type { RequestTrace } from '../observability/tracing.ts'
import type { HeaderEdit } from './header-edits.ts'
import type { RequestInfo } from './types.ts'

export interface RequestContext {
  /** Id of the route that matched. */
  readonly route: string
  readonly request: Request
  readonly url: URL
  /** Normalised path the router matched against (never the raw one). */
  readonly path: string
  readonly requestId: string
  /** Resolved client address (trusted_proxies applied). */
  readonly clientIp: string
  /** The TCP peer as the adapter saw it. */
  readonly peer: string
  readonly peerTrusted: boolean
  readonly host: string
  readonly info: RequestInfo
  readonly startedAt: number
  /** Authenticated client (auth policies); null when anonymous. Feeds `client_id` limit keys and the access log. */
  clientId: string | null
  /** Verified token claims (JWT auth); null when none. Feeds `jwt_claim:<n>` limit keys. */
  claims: Record<string, unknown> | null
  /** Upstream request header edits from policies (auth identity): value null = remove. */
  upstreamHeaders: [string, string | null][] | null
  /** Fields every response of this request carries (RateLimit headers), set before forwarding. */
  responseHeaders: HeaderEdit[] | null
  /** Literal path prefix the route matched, for strip_prefix/rewrite. */
  matched: string
  params: Record<string, string>
  /** Filled by the proxy handler for the access log. */
  upstream: string | null
  /** Retries made for this request (access log). */
  retries: number
  /** Status the upstream answered with, when the forwarder wrote it itself (Node direct path). */
  status: number
  /**
   * Called once the response is complete (its body sent): writes the access-log line and ends
   * the server span. Null when the access log and tracing are both off.
   */
  logAccess: ((status: number, bytes: number) => void) | null
  /** Set by a handler that has arranged for `logAccess` to be called when the body ends. */
  bodyObserved: boolean
  /** The request's spans (config `tracing`); null when tracing is off. */
  trace: RequestTrace | null
}
