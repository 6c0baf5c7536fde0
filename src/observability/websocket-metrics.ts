/**
 * WebSocket series (docs/protocols.md, metrics), registered once per registry as the gateway's
 * are. Labels come from config (route) or a closed set (result, direction, closed_by).
 * @module
 */
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../core/metrics.ts'

export interface WebSocketMetrics {
  open: Gauge
  upgrades: Counter
  duration: Histogram
  bytes: Counter
  closes: Counter
}

/** Seconds: connections live from a moment to hours. */
const LIFETIME_BUCKETS = [0.1, 1, 10, 60, 300, 1800, 3600, 14_400]

const CACHE = new WeakMap<MetricsRegistry, WebSocketMetrics>()

export function webSocketMetrics(registry: MetricsRegistry): WebSocketMetrics {
  let m = CACHE.get(registry)
  if (m === undefined) {
    m = {
      open: registry.gauge('portico_websocket_connections', 'WebSocket connections open now.', ['route']),
      upgrades: registry.counter(
        'portico_websocket_upgrades_total',
        'WebSocket handshakes by result: switched, refused (the upstream answered without 101), failed (no upstream answer).',
        ['route', 'result'],
      ),
      duration: registry.histogram('portico_websocket_connection_duration_seconds', 'Time from the 101 to the close of both sides.', ['route'], LIFETIME_BUCKETS),
      bytes: registry.counter('portico_websocket_bytes_total', 'Bytes relayed after the 101, by direction (to_client, to_upstream).', ['route', 'direction']),
      closes: registry.counter('portico_websocket_closes_total', 'Closed WebSocket connections by who closed them.', ['route', 'closed_by']),
    }
    CACHE.set(registry, m)
  }
  return m
}
