/**
 * The JSON behind the admin dashboard (`GET /ui/data`): one snapshot of routes, backend health,
 * circuit states, request totals and the last reload. Totals are the process's counters since
 * start; the page keeps the history and turns successive totals into per-second rates, so the
 * server holds no per-viewer state.
 * @module
 */
import type { GatewayHolder } from '../gateway/holder.ts'
import type { Reloader, ReloadStatus } from '../gateway/reload.ts'
import type { BackendSummary, RouteSummary } from '../gateway/types.ts'
import type { MetricsRegistry } from '../core/metrics.ts'

export interface DashboardDataOptions {
  /**
   * The process's registry; absent = `totals: null`. Read whether or not `admin.metrics.enabled`
   * serves it as Prometheus text: that flag is about the scrape endpoint, the counters always run.
   */
  metrics?: MetricsRegistry
  /** Present where the config can be re-read (Node/Bun/Deno); absent = `reload: null`. */
  reloader?: Reloader
}

export interface DashboardTotals {
  /** Every answered request since the process started (all routes, methods and statuses). */
  requests: number
  /** Of which answered with a 5xx status. */
  errors_5xx: number
}

export interface DashboardData {
  version: number
  loaded_at: string
  routes: RouteSummary[]
  backends: BackendSummary[]
  circuit_breakers: { route: string; state: string; retry_after_s: number }[]
  totals: DashboardTotals | null
  reload: ReloadStatus | null
  /** Server clock when the snapshot was taken: the page computes rates against it, not its own. */
  time: string
}

// `portico_requests_total{route,method,status}`: `status` is the last label (gateway-metrics.ts),
// so anchoring at the end of the line cannot be fooled by a route id that contains `status="`.
const REQUESTS_LINE = /^portico_requests_total\{.*,status="(\d{3})"\} (\S+)$/

/**
 * Sums `portico_requests_total` from the registry's exposition text: the registry has no read API
 * and the text is its one stable output, so the dashboard adds nothing to it. Rendering runs the
 * collectors (a few gauge updates); at one poll per viewer every 2 s that is negligible.
 */
export function requestTotals(registry: MetricsRegistry): DashboardTotals {
  let requests = 0
  let errors = 0
  for (const line of registry.render().split('\n')) {
    if (!line.startsWith('portico_requests_total{')) continue
    const m = REQUESTS_LINE.exec(line)
    if (m === null) continue
    const n = Number(m[2])
    if (!Number.isFinite(n)) continue
    requests += n
    if (m[1].startsWith('5')) errors += n
  }
  return { requests, errors_5xx: errors }
}

export function dashboardData(holder: GatewayHolder, options: DashboardDataOptions = {}): DashboardData {
  const gw = holder.current
  return {
    version: gw.version,
    loaded_at: new Date(holder.loadedAt).toISOString(),
    routes: gw.routes(),
    backends: gw.backends(),
    circuit_breakers: gw.circuitBreakers(),
    totals: options.metrics !== undefined ? requestTotals(options.metrics) : null,
    reload: options.reloader?.status() ?? null,
    time: new Date().toISOString(),
  }
}
