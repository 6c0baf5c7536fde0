/**
 * Workers metrics: per-isolate Prometheus counters say little at the edge (each isolate sees a
 * slice of the traffic and lives briefly), so with `cloudflare.analytics_engine_binding` every
 * answered request becomes one Workers Analytics Engine data point, queryable with SQL across
 * all isolates and locations: blobs [route, method, status], doubles [duration ms, status],
 * index = route (the sampling key). writeDataPoint is fire-and-forget and never throws here.
 * @module
 */

export interface AnalyticsEngineDataset {
  writeDataPoint(point: { blobs?: string[]; doubles?: number[]; indexes?: string[] }): void
}

export function createAnalyticsRecorder(dataset: AnalyticsEngineDataset) {
  return function recordRequest(route: string, method: string, status: number, durationMs: number): void {
    try {
      dataset.writeDataPoint({ blobs: [route, method, String(status)], doubles: [durationMs, status], indexes: [route || '(unmatched)'] })
    } catch {
      // Analytics must never fail a request.
    }
  }
}
