/**
 * The gateway's Prometheus series (names in docs/proxy.md, metrics), registered once per registry so counters
 * survive config reloads. Route and backend labels come from config; unmatched requests are
 * counted under route="".
 * @module
 */
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../core/metrics.ts'

export interface GatewayMetrics {
  requests: Counter
  duration: Histogram
  upstreamDuration: Histogram
  active: Gauge
  retries: Counter
  upstreamErrors: Counter
  circuitState: Gauge
  backendHealth: Gauge
  reloads: Counter
  rateLimitRejects: Counter
  storeErrors: Counter
}

const CACHE = new WeakMap<MetricsRegistry, GatewayMetrics>()

export function gatewayMetrics(registry: MetricsRegistry): GatewayMetrics {
  let m = CACHE.get(registry)
  if (m === undefined) {
    m = {
      requests: registry.counter('portico_requests_total', 'Requests answered, by route, method and status.', ['route', 'method', 'status']),
      duration: registry.histogram('portico_request_duration_seconds', 'Time to response headers (whole exchange on Node direct streaming).', ['route']),
      upstreamDuration: registry.histogram(
        'portico_upstream_duration_seconds',
        'Time to upstream response headers per try (whole exchange on Node direct streaming).',
        ['route', 'backend'],
      ),
      active: registry.gauge('portico_active_requests', 'Requests in progress.', ['route']),
      retries: registry.counter('portico_retries_total', 'Retries and hedged tries sent.', ['route']),
      upstreamErrors: registry.counter('portico_upstream_errors_total', 'Failed upstream exchanges by kind.', ['route', 'backend', 'kind']),
      circuitState: registry.gauge('portico_circuit_breaker_state', 'Circuit state: 0 closed, 1 half-open, 2 open.', ['route']),
      backendHealth: registry.gauge('portico_backend_health', 'Backend can take traffic (1) or not (0).', ['route', 'backend']),
      reloads: registry.counter('portico_config_reloads_total', 'Config reloads by result.', ['result']),
      rateLimitRejects: registry.counter('portico_rate_limit_rejects_total', 'Requests refused by rate_limit, spike_arrest or quota.', ['route', 'policy']),
      storeErrors: registry.counter('portico_store_errors_total', 'Store calls that failed or passed store.timeout (failure policy applied).', ['store', 'op']),
    }
    CACHE.set(registry, m)
  }
  return m
}
