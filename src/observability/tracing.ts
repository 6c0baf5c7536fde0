/**
 * OpenTelemetry spans (config `tracing`) through `@opentelemetry/api` only. The server adapters
 * register an SDK (adapters/server/tracing-sdk.ts); without one (Workers) every call below is
 * the API's no-op. Per request: one SERVER span, and one CLIENT span per upstream try as its
 * child, whose context goes upstream in `traceparent`/`tracestate`/`baggage`. Names and
 * attributes follow the OTel HTTP semantic conventions (stable, v1.23+).
 * @module
 */
import type { RequestTrace, UpstreamSpan } from '../core/context.ts'
import type { HeaderBag } from '../core/headers.ts'
import {
  type Attributes,
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { Config } from '../config/types.ts'
import { GatewayError } from '../core/errors.ts'

const headersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
}

const headersSetter: TextMapSetter<HeaderBag> = {
  set: (headers, key, value) => headers.set(key, value),
}

// Semconv: any other method is reported as `_OTHER` (the original in
// http.request.method_original) and names its span `HTTP`, so span names stay low-cardinality.
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'])

/** Span-name prefix and method attributes of a request method. */
function methodAttributes(method: string, attributes: Attributes): string {
  if (KNOWN_METHODS.has(method)) {
    attributes['http.request.method'] = method
    return method
  }
  attributes['http.request.method'] = '_OTHER'
  attributes['http.request.method_original'] = method
  return 'HTTP'
}

function defaultPort(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
}

export interface Tracing {
  /**
   * Starts the SERVER span of a request. A valid incoming `traceparent` makes it a child of the
   * caller's span (same trace id); otherwise it starts a trace.
   */
  startRequest(request: Request, url: URL, clientIp: string): RequestTrace
}

/** Null when tracing is off: the request path then makes no span objects and parses no headers. */
export function createTracing(config: Config): Tracing | null {
  if (config.tracing?.enabled !== true) return null
  // A ProxyTracer: it finds the provider the adapter registered (or none) when a span starts.
  const tracer = trace.getTracer('portico')
  return {
    startRequest(request, url, clientIp) {
      return new OtelRequestTrace(tracer, request, url, clientIp)
    },
  }
}

/** The spans of one request. A class, so a request costs one object and no closures. */
export class OtelRequestTrace implements RequestTrace {
  readonly #tracer: Tracer
  readonly #span: Span
  /** Holds the server span: the parent of every upstream try. */
  readonly #context: Context
  readonly #method: string

  constructor(tracer: Tracer, request: Request, url: URL, clientIp: string) {
    const remote = propagation.extract(ROOT_CONTEXT, request.headers, headersGetter)
    const attributes: Attributes = {
      'url.path': url.pathname,
      'url.scheme': url.protocol.slice(0, -1),
      'server.address': url.hostname,
      'server.port': defaultPort(url),
      'client.address': clientIp,
    }
    // The query string is not recorded: it may carry credentials (api_key.query_param).
    const userAgent = request.headers.get('user-agent')
    if (userAgent !== null) attributes['user_agent.original'] = userAgent
    this.#method = methodAttributes(request.method, attributes)
    this.#tracer = tracer
    this.#span = tracer.startSpan(this.#method, { kind: SpanKind.SERVER, attributes }, remote)
    this.#context = trace.setSpan(remote, this.#span)
  }

  /** Names the span after the matched route's configured path (never the raw path: cardinality). */
  route(id: string, path: string): void {
    this.#span.updateName(`${this.#method} ${path}`)
    this.#span.setAttribute('http.route', path)
    this.#span.setAttribute('portico.route.id', id)
  }

  /** Ends the server span with the status sent. Later calls do nothing. */
  end(status: number): void {
    const span = this.#span
    if (!span.isRecording()) return
    span.setAttribute('http.response.status_code', status)
    // Semconv: a server span is an error for 5xx only; 4xx are the client's.
    if (status >= 500) {
      span.setAttribute('error.type', String(status))
      span.setStatus({ code: SpanStatusCode.ERROR })
    }
    span.end()
  }

  /**
   * Starts the CLIENT span of one upstream try and puts its context into the upstream request's
   * `headers`, replacing the client's `traceparent`: the upstream's parent is this try. Called
   * for every try, as retries reuse the same Headers object.
   */
  startUpstream(method: string, url: string, resendCount: number, headers: HeaderBag): UpstreamSpan {
    const target = new URL(url)
    const attributes: Attributes = {
      // Without the query, for the reason given in the constructor.
      'url.full': target.origin + target.pathname,
      'server.address': target.hostname,
      'server.port': defaultPort(target),
    }
    const name = methodAttributes(method, attributes)
    // Semconv: set on resends only (retries and hedged copies), never on the first try.
    if (resendCount > 0) attributes['http.request.resend_count'] = resendCount
    const span = this.#tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, this.#context)
    propagation.inject(trace.setSpan(this.#context, span), headers, headersSetter)
    return new OtelUpstreamSpan(span)
  }
}

class OtelUpstreamSpan implements UpstreamSpan {
  readonly #span: Span
  constructor(span: Span) {
    this.#span = span
  }
  end(status: number): void {
    endUpstreamSpan(this.#span, status)
  }
  fail(err: unknown): void {
    failUpstreamSpan(this.#span, err)
  }
}

/** Ends an upstream try that got an answer. Later calls do nothing. */
function endUpstreamSpan(span: Span, status: number): void {
  if (!span.isRecording()) return
  span.setAttribute('http.response.status_code', status)
  // Semconv: for a client span, 4xx and 5xx are both errors.
  if (status >= 400) {
    span.setAttribute('error.type', String(status))
    span.setStatus({ code: SpanStatusCode.ERROR })
  }
  span.end()
}

/** Ends an upstream try that failed without an answer (connect error, timeout, cancelled). */
function failUpstreamSpan(span: Span, err: unknown): void {
  if (!span.isRecording()) return
  const type = err instanceof GatewayError ? err.code : err instanceof Error ? err.name : 'unknown'
  span.setAttribute('error.type', type)
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) })
  span.end()
}
