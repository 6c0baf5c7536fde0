/**
 * The contract between the portable core and the runtime adapters. The core never asks
 * which runtime it is on: everything runtime-specific arrives through these objects.
 * @module
 */
import type { HeaderList, ResponseHead } from './headers.ts'
import type { MetricsRegistry } from './metrics.ts'
import type { LimitStores } from './store.ts'

export type RuntimeName = 'node' | 'bun' | 'deno' | 'workerd'

/** What the core asks the forwarder to send upstream: already cleaned and rewritten. */
export interface UpstreamRequest {
  method: string
  /** Absolute target URL (backend origin + rewritten path + query). */
  url: string
  /** Built by the core in one pass (core/headers.ts); `flat` is name, value, name, value… */
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
   * Present when no policy needs the response body and no retry can follow: a forwarder with a
   * native response channel (Node's ServerResponse) may write the answer itself — handing the
   * head to `direct.head` first, for the response policies — and resolve with `Sent`. Others
   * ignore it and resolve with a Response.
   */
  direct?: DirectSink
}

/** Receives the upstream's response head before a forwarder writes it to the client itself. */
export interface DirectSink {
  /** Edits the head in place: hop-by-hop removal, X-Request-ID, the route's response policies. */
  head(head: ResponseHead): void
}

/** The forwarder wrote the answer itself (Node's direct path): what the finish phase needs. */
export interface Sent {
  readonly kind: 'sent'
  readonly status: number
  /** Body bytes written to the client. */
  readonly bytes: number
  /** The exchange was cut after the head was sent (upstream failure or client gone). */
  readonly aborted: boolean
  /**
   * When the head went out, if well before the answer settled: a WebSocket tunnel's 101, whose
   * `Sent` comes at the connection's close (one access line per connection, at its end).
   */
  readonly headAt?: number
}

/**
 * What the core asks an adapter to do for a WebSocket handshake (RFC 6455 §4): open the upstream
 * connection, send the handshake, and on a 101 switch both connections to the protocol. The
 * fields are the end-to-end ones plus `Connection: upgrade` and `Upgrade: websocket` (RFC 9110
 * §7.8), Sec-WebSocket-* untouched.
 */
export interface UpgradeRequest {
  /** The upstream target, http: or https: (the handshake is an HTTP/1.1 GET). */
  url: string
  headers: HeaderList
  /** Time allowed to connect and receive the upstream's answer head, ms; 0 = no limit. */
  handshakeTimeoutMs: number
  /** After the switch: close when no byte has passed either way for this long; 0 = never. */
  idleTimeoutMs: number
  /** After the switch: close when written bytes stay undrained this long; 0 = never. */
  writeTimeoutMs: number
  /** After the switch: close the connection at this age; 0 = never. */
  maxLifetimeMs: number
  /** Edits the upstream's 101 head before it is written to the client. */
  head: DirectSink
}

/** How an upgraded connection ended. */
export interface TunnelEnd {
  /** Bytes written to the client, and read from it, after the 101. */
  sent: number
  received: number
  /** Which side ended it, or the gateway's reason. */
  closedBy: 'client' | 'upstream' | 'idle' | 'write_timeout' | 'lifetime' | 'shutdown'
  /** When the 101 went out (Runtime.now). */
  openedAt: number
}

/** A switched connection (the 101 is written); `closed` settles once both sides are closed. */
export interface Tunnel {
  readonly kind: 'tunnel'
  readonly closed: Promise<TunnelEnd>
}

/**
 * Performs an upgrade: resolves with a Tunnel, or with the upstream's answer when it did not
 * switch (a Response, relayed as any answer; on Workers the upstream's own 101 Response, which
 * must reach the client unchanged), or rejects with a GatewayError before anything was written to
 * the client (502: no connection, 504: no answer in time) — then another endpoint may be tried.
 */
export type Upgrade = (request: UpgradeRequest) => Promise<Response | Tunnel>

/** What a forwarder resolves with: a Response for the core to finish, or `Sent`. */
export type UpstreamAnswer = Response | Sent

/** True for `Sent`: a Response has no `kind`. */
export function isSent(answer: UpstreamAnswer): answer is Sent {
  return (answer as Partial<Sent>).kind === 'sent'
}

/**
 * Sends one request upstream. Resolves with the upstream's response as received (the core
 * strips hop-by-hop fields and applies response policies) or with `Sent`, or rejects with a
 * `GatewayError` (502 connect/protocol failure, 504 timeout).
 */
export type Forwarder = (request: UpstreamRequest, info: RequestInfo) => Promise<UpstreamAnswer>

/** Per-request facts only the adapter knows. */
export interface RequestInfo {
  /** Address of the TCP peer (Workers: CF-Connecting-IP). */
  remoteAddr: string
  /** Keeps work alive after the response (Workers `ctx.waitUntil`): finish.ts holds the isolate for an access line written after the body. */
  waitUntil?: (promise: Promise<unknown>) => void
  /** Adapter-private data (e.g. Node's IncomingMessage/ServerResponse); the core never reads it. */
  native?: unknown
  /**
   * Set by adapters for TLS listeners that asked for a client certificate (`client_auth`
   * request|verify|require): the certificate the client presented, or null when it sent none.
   * `subject` is the RFC 4514 string form, `fingerprint256` the SHA-256 of the DER, as
   * colon-separated upper-case hex. `verified` is true only when the chain was checked against
   * `client_ca_file` (never for `request`): only then may the identity be trusted.
   */
  clientCert?: { subject: string; fingerprint256: string; verified: boolean } | null
  /**
   * Present when this request can switch protocols: an HTTP/1.1 `Upgrade: websocket` request on a
   * listener that can hand its connection over (the node:http bridge), or a Worker's fetch.
   */
  upgrade?: Upgrade
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
  /** One access-log line already rendered (`logging.format` template), written as is. */
  accessLine?(line: string): void
}

/**
 * A TCP connection opened by the runtime, in the shape of Workers' `connect()` (cloudflare:sockets),
 * the one socket API every runtime can offer over Web streams.
 */
export interface RuntimeSocket {
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  /** Resolves once connected; rejects when the connection cannot be made. */
  readonly opened: Promise<unknown>
  close(): Promise<void>
}

export type Connect = (address: { hostname: string; port: number }) => RuntimeSocket

export interface Runtime {
  name: RuntimeName
  forward: Forwarder
  /** Opens TCP connections (TCP health probes; L4 later). */
  connect?: Connect
  logger: Logger
  /** Milliseconds, monotonic where the runtime allows (performance.now). */
  now(): number
  /**
   * Runs `fn` every `everyMs` until the returned function is called (health checks). Absent on
   * Workers, which have no timers outside a request.
   */
  schedule?: (everyMs: number, fn: () => void) => () => void
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
