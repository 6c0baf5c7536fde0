/**
 * The OpenTelemetry SDK behind the core's `@opentelemetry/api` calls on Node, Bun and Deno
 * (config `tracing`): spans are batched and sent to an OTLP/HTTP collector as JSON, sampled by
 * trace id at `sample_rate` unless the caller's `traceparent` already decided, and the W3C
 * trace-context and baggage propagators are registered for the core's extract/inject.
 * Started once per process: a reload does not change the exporter (docs/tracing.md).
 * @module
 */
import { DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator, setGlobalErrorHandler } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace'
import type { Config } from '../../src/config/types.ts'
import type { Logger } from '../../src/core/runtime.ts'

/** The OTLP/HTTP collector's default traces endpoint (OTLP spec: port 4318, path /v1/traces). */
export const DEFAULT_TRACES_ENDPOINT = 'http://127.0.0.1:4318/v1/traces'

/** Names `tracing.exporter` may take: each means OTLP over HTTP, the only exporter. */
const OTLP_NAMES = new Set(['otlp', 'otlp_http', 'otlphttp', 'otlp-http'])

/**
 * Where spans go. Runway-style configs name the collector's base URL (`http://host:4318`):
 * like OTEL_EXPORTER_OTLP_ENDPOINT, a URL without a path gets `/v1/traces`; one with a path is
 * used as is; a bare `host:port` is taken as http.
 */
export function tracesEndpoint(endpoint: string | undefined): string {
  if (endpoint === undefined || endpoint === '') return DEFAULT_TRACES_ENDPOINT
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`)
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces'
  return url.href
}

/**
 * Registers the SDK as the global tracer provider and propagator when `tracing.enabled`; returns
 * the function that exports what is still queued and stops the exporter (call it once, on stop),
 * or null when tracing is off or cannot run.
 */
export function startTracingSdk(config: Config, logger: Logger): (() => Promise<void>) | null {
  const t = config.tracing
  if (t?.enabled !== true) return null
  if (t.exporter !== undefined && !OTLP_NAMES.has(t.exporter.toLowerCase())) {
    logger.error('tracing.exporter is not supported: only otlp (OTLP over HTTP, JSON) is; no spans are exported', { exporter: t.exporter })
    return null
  }
  let url: string
  try {
    url = tracesEndpoint(t.endpoint)
  } catch {
    logger.error('tracing.endpoint is not a URL; no spans are exported', { endpoint: t.endpoint })
    return null
  }
  // Failed exports reach the SDK's global error handler, its other complaints the diag logger;
  // both are silent (or print whole stacks) unless set. A collector outage never fails a request.
  setGlobalErrorHandler((err) => logger.warn('tracing: export failed', { error: err instanceof Error ? err.message : String(err) }))
  const warn = (msg: string, ...args: unknown[]) => logger.warn(`tracing: ${msg}`, args.length > 0 ? { detail: args.map(String).join(' ') } : undefined)
  diag.setLogger(
    { error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  )
  const serviceName = t.service_name ?? 'portico'
  const sampleRate = t.sample_rate ?? 1
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': serviceName })),
    // A caller's sampled flag is followed (ParentBased); new traces are kept at sample_rate.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRate) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url, headers: t.headers }),
        // The SDK (3.x) no longer reads the OTEL_BSP_* variables itself; the delay is the one we honour.
        scheduledDelayMillis: scheduleDelay(),
      }),
    ],
  })
  trace.setGlobalTracerProvider(provider)
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  )
  logger.info('tracing on', { endpoint: url, service_name: serviceName, sample_rate: sampleRate })
  return () => provider.shutdown()
}

/** OTEL_BSP_SCHEDULE_DELAY (ms between exports), else the SDK's 5 s. */
function scheduleDelay(): number | undefined {
  const ms = Number(process.env.OTEL_BSP_SCHEDULE_DELAY)
  return Number.isFinite(ms) && ms > 0 ? ms : undefined
}
