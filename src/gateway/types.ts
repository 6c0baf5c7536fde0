/**
 * The contract between the portable core and the runtime adapters. The core never asks
 * which runtime it is on: everything runtime-specific arrives through these objects.
 * @module
 */
import type { Config } from '../config/types.ts'
import type { MetricsRegistry } from '../observability/metrics.ts'
import type { LimitStores } from '../policies/limits.ts'
import type { HeaderList } from '../proxy/header-list.ts'
import type { SharedHealthChecks } from '../upstream/shared-health.ts'

export type RuntimeName = 'node' | 'bun' | 'deno' | 'workerd'

/** What the core asks the forwarder to send upstream: already cleaned and rewritten. */
export interface UpstreamRequest {
  method: string
  /** Absolute target URL (backend origin + rewritten path + query). */
  url: string
  /** Built by the core in one pass (header-list.ts); `flat` is name, value, name, value… */
  headers: HeaderList
  /**
   * `undefined`: the client's body, untouched — a forwarder streams it from its source (Node:
   * the IncomingMessage itself, no Web stream in between). `null`: no body. Otherwise the
   * replacement: a stream, or bytes when the core read a bounded body (max_body_size, chunked).
   */
  body: ReadableStream<Uint8Array> | Uint8Array | null | undefined
  /** The client's request: its body when `body` is undefined, and its abort signal. */
  original: Request
  /** Cancels this one try (a hedging loser); forwarders honour it with the client's signal. */
  cancel?: AbortSignal
  /** Time allowed until response headers arrive, ms; 0 = no limit of its own. */
  headerTimeoutMs: number
  /** Largest allowed gap between two response body chunks, ms; 0 = no limit. */
  idleTimeoutMs: number
  /**
   * Present when no policy needs the response body: a forwarder with a native response channel
   * (Node's ServerResponse) may write the response itself — passing status and headers through
   * `head` first — and resolve with null. Others ignore it and resolve with a Response.
   */
  direct?: DirectResponse
}

export interface DirectResponse {
  /** Applies response-header policies in place (hop-by-hop removal, X-Request-ID, transforms). */
  head(status: number, headers: Record<string, string | string[] | undefined>): void
  /** Called once when the response has been sent or the exchange failed part-way. */
  end(status: number, bytes: number, aborted: boolean): void
}

/**
 * Sends one request upstream. Resolves with the upstream's response as received (the core
 * strips hop-by-hop fields and applies response policies), or rejects with a
 * `GatewayError` (502 connect/protocol failure, 504 timeout).
 */
export type Forwarder = (request: UpstreamRequest, info: RequestInfo) => Promise<Response | null>

/** Per-request facts only the adapter knows. */
export interface RequestInfo {
  /** Address of the TCP peer (Workers: CF-Connecting-IP). */
  remoteAddr: string
  /** Keeps work alive after the response (Workers `ctx.waitUntil`); defaults to the runtime's. */
  waitUntil?: (promise: Promise<unknown>) => void
  /** Adapter-private data (e.g. Node's IncomingMessage/ServerResponse); the core never reads it. */
  native?: unknown
  /** What to return to the adapter when the forwarder wrote the response itself (Node). */
  alreadySent?: Response
  /**
   * Set by adapters for TLS listeners that asked for a client certificate (`client_auth`
   * request|verify|require): the certificate the client presented, or null when it sent none.
   * `subject` is the RFC 4514 string form, `fingerprint256` the SHA-256 of the DER, as
   * colon-separated upper-case hex. `verified` is true only when the chain was checked against
   * `client_ca_file` (never for `request`): only then may the identity be trusted.
   */
  clientCert?: { subject: string; fingerprint256: string; verified: boolean } | null
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** One access-log record, written as one JSON line. */
  access(record: LogFields): void
}

export interface Runtime {
  name: RuntimeName
  forward: Forwarder
  logger: Logger
  /** Runs background work; the default for requests whose RequestInfo has none. */
  waitUntil(promise: Promise<unknown>): void
  /** Milliseconds, monotonic where the runtime allows (performance.now). */
  now(): number
  /**
   * Runs `fn` every `everyMs` until the returned function is called (health checks). Absent on
   * Workers, which have no timers outside a request.
   */
  schedule?: (everyMs: number, fn: () => void) => () => void
  /** Where active checks run when there is no `schedule` (Workers: a Durable Object alarm). */
  sharedHealth?: SharedHealthChecks
  /** Where metrics are recorded; absent = no metrics. Lives as long as the process (survives reloads). */
  metrics?: MetricsRegistry
  /**
   * Stores for limits: `local` per process/isolate, `shared` = the configured `store`. They live
   * as long as the process (counters survive reloads). Absent: each config version gets its
   * own in-memory pair (tests).
   */
  stores?: LimitStores
  /**
   * Called once per answered request (Workers: one Analytics Engine data point, since per-isolate
   * Prometheus counters say little there). Must not throw or block.
   */
  recordRequest?: (route: string, method: string, status: number, durationMs: number) => void
  /**
   * True when the forwarder's Responses have mutable headers (Bun's fetch does; the Fetch
   * standard makes them immutable, and Deno, workerd and undici enforce it). Response policies
   * then edit the upstream Response in place and return it, instead of copying its fields into
   * a new one: ~2.5 µs of ~33 per proxied request on Bun (docs/performance.md).
   */
  mutableResponses?: boolean
  /** fetch for the gateway's own calls (JWKS, token introspection); default: the global fetch. */
  fetch?: typeof fetch
  /** Adapter set-up a gateway waits for before it serves (the tracing SDK, loaded on demand); never rejects. */
  ready?: Promise<void>
  /**
   * Present when the adapter started an OpenTelemetry SDK (config `tracing`): exports the spans
   * still queued and stops the exporter. Called once, on stop, after the listeners closed.
   */
  flushTracing?: () => Promise<void>
}

export interface RouteSummary {
  id: string
  path: string
  path_prefix: boolean
  methods: string[]
  domains: string[]
  target: string
}

export interface BackendSummary {
  route?: string
  upstream?: string
  url: string
  weight: number
  inflight: number
  /** Time-to-response-headers EWMA in ms (whole exchange on Node's direct path); 0 = no sample. */
  ewma_ms: number
  /** Active health-check verdict. */
  healthy: boolean
  /** Passive outlier detection: ejected until this time (ISO), or null. */
  ejected_until: string | null
}

/** A compiled config version: built once, swapped atomically on reload. */
export interface Gateway {
  readonly config: Config
  readonly version: number
  /**
   * Settles when the version's asynchronous set-up (key imports, key digests) is done; rejects
   * with a `key.path: problem` message when it cannot be (then the version must not serve).
   */
  readonly ready: Promise<void>
  handle(request: Request, info: RequestInfo): Promise<Response>
  routes(): RouteSummary[]
  backends(): BackendSummary[]
  /** Config keys present but not active yet, e.g. `routes.users-api.rate_limit`. */
  readonly inactive: string[]
  /** Backends that can take traffic now, over all pools (readiness). */
  availableBackends(): number
  /** Circuit state per route that has a breaker. */
  circuitBreakers(): { route: string; state: string; retry_after_s: number }[]
  /** Admin override of one route's breaker; false when the route has none. */
  controlCircuit(route: string, action: 'open' | 'close' | 'reset'): boolean
  /** Stops this version's background work (health checks); in-flight requests are unaffected. */
  close(): void
}
