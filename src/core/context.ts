/**
 * Per-request state handed through the phases. One object per request, no closures.
 * @module
 */
import type { HeaderBag, HeaderEdit } from './headers.ts'
import type { RequestInfo } from './runtime.ts'

/** The CLIENT span of one upstream try (observability/tracing.ts implements it). */
export interface UpstreamSpan {
  /** The try got an answer with this status. Later calls do nothing. */
  end(status: number): void
  /** The try failed without an answer (connect error, timeout, cancelled). */
  fail(err: unknown): void
}

/** The spans of one request (config `tracing`). */
export interface RequestTrace {
  /** Names the span after the matched route's configured path (never the raw path: cardinality). */
  route(id: string, path: string): void
  /** Ends the server span with the status sent. Later calls do nothing. */
  end(status: number): void
  /** Starts a try's span and writes its context into the upstream request's `headers`. */
  startUpstream(method: string, url: string, resendCount: number, headers: HeaderBag): UpstreamSpan
}

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
  /** The client-facing scheme is https (HSTS is sent only then, RFC 6797 §7.2). */
  readonly https: boolean
  readonly info: RequestInfo
  readonly startedAt: number
  /** Authenticated client (auth policies); null when anonymous. Feeds `client_id` limit keys and the access log. */
  clientId: string | null
  /** Verified token claims (JWT auth); null when none. Feeds `jwt_claim:<n>` limit keys. */
  claims: Record<string, unknown> | null
  /** Upstream request header edits from policies (auth identity): value null = remove. */
  upstreamHeaders: [string, string | null][] | null
  /** Fields every response of this request carries (RateLimit headers), set by request policies. */
  responseHeaders: HeaderEdit[] | null
  /** Literal path prefix the route matched, for strip_prefix/rewrite. */
  matched: string
  params: Record<string, string>
  /** Filled by the proxy handler for the access log. */
  upstream: string | null
  /** Status and time to response headers (ms) of the last upstream answer; 0 before one (access log). */
  upstreamStatus: number
  upstreamMs: number
  /** Retries made for this request (access log). */
  retries: number
  /** The request's spans (config `tracing`); null when tracing is off. */
  trace: RequestTrace | null
}
