/**
 * The admin API (Runway endpoint names): health, readiness, routes, backends, redacted
 * config. Served on its own loopback listener by Node/Bun/Deno, and under
 * `admin.path_prefix` with a mandatory token on Workers (no private listener there).
 * @module
 */
import { timingSafeEqualBytes } from '../policies/auth/types.ts'
import { Hono } from 'hono'
import { redactConfig } from '../config/redact.ts'
import { GatewayError, errorResponse } from '../core/errors.ts'
import type { GatewayHolder } from '../gateway/holder.ts'
import type { Reloader } from '../gateway/reload.ts'
import type { Store } from '../core/store.ts'
import type { MetricsRegistry } from '../core/metrics.ts'
import { requestIdFrom } from '../observability/request-id.ts'
import { mountApiKeyAdmin } from './api-keys-admin.ts'
import { dashboardData } from './dashboard-data.ts'
import { DASHBOARD_CSP, DASHBOARD_PAGE } from './dashboard-page.ts'

export interface AdminAppOptions {
  /** Bearer token; when set, every endpoint but /healthz, /readyz and the dashboard page /ui requires it. */
  token?: string
  /** Require the token on every endpoint but /ui, including health (Workers: the admin is public). */
  tokenForAll?: boolean
  /** Where the app is mounted (Workers: admin.path_prefix); open paths are matched exactly under it. */
  basePath?: string
  /** Present where the config can be re-read (Node/Bun/Deno): enables POST /reload. */
  reloader?: Reloader
  /** Served at `admin.metrics.path` when `admin.metrics.enabled`. */
  metrics?: MetricsRegistry
  /** The configured shared store: pinged by /readyz when `readiness.require_redis`. */
  store?: Store
  /** Workers with cloudflare.config_kv_key: PUT /config validates and stores a new config in KV. */
  pushConfig?: (text: string) => Promise<{ ok: true; version: string } | { ok: false; error: string }>
}

const utf8 = new TextEncoder()

/** Compares in time independent of where the strings differ, so the token can't be guessed byte by byte. */
function timingSafeEqual(a: string, b: string): boolean {
  return timingSafeEqualBytes(utf8.encode(a), utf8.encode(b))
}

export function createAdminApp(holder: GatewayHolder, options: AdminAppOptions = {}): Hono {
  const app = new Hono()
  const token = options.token
  // /ui is the dashboard's static page: it holds no data, and a browser cannot add a header to a
  // page load, so it is open in both modes (Workers too); its data, /ui/data, needs the token.
  const open = new Set(options.tokenForAll ? ['/ui'] : ['/healthz', '/readyz', '/ui'])

  app.use('*', async function adminAuth(c, next) {
    const requestId = requestIdFrom(c.req.raw.headers)
    c.header('x-request-id', requestId)
    // Exact match under the mount point: a path merely ending in /ui (e.g. /api-keys/ui) is not open.
    const base = options.basePath ?? ''
    const sub = c.req.path.startsWith(base) ? c.req.path.slice(base.length) : c.req.path
    if (token && !open.has(sub)) {
      const auth = c.req.header('authorization') ?? ''
      if (!auth.startsWith('Bearer ') || !timingSafeEqual(auth.slice(7), token)) {
        return errorResponse(
          new GatewayError(401, 'unauthorized', 'admin token required', { 'www-authenticate': 'Bearer realm="portico-admin"' }),
          requestId,
        )
      }
    }
    await next()
  })

  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const gw = holder.current
    const min = gw.config.admin.readiness.min_healthy_backends
    const healthy = gw.availableBackends()
    const hasEchoOnly = gw.config.routes.every((r) => r.echo)
    let ready = hasEchoOnly || healthy >= min
    if (holder.draining) {
      return c.json({ status: 'draining', healthy_backends: healthy, config_version: gw.version }, 503)
    }
    // Runway's `require_redis`: not ready while the shared store (whatever its type) is unreachable.
    let store: string | undefined
    if (gw.config.admin.readiness.require_redis && options.store !== undefined) {
      store = await options.store.ping().then(
        () => 'reachable',
        () => 'unreachable',
      )
      if (store === 'unreachable') ready = false
    }
    return c.json({ status: ready ? 'ready' : 'not_ready', healthy_backends: healthy, store, config_version: gw.version }, ready ? 200 : 503)
  })
  // Take this instance out of rotation without stopping it (readiness 503; traffic still served).
  app.post('/drain', (c) => {
    holder.draining = true
    return c.json({ status: 'draining' })
  })
  app.delete('/drain', (c) => {
    holder.draining = false
    return c.json({ status: 'serving' })
  })
  app.get('/rate-limits', (c) => {
    const cfg = holder.current.config
    const kind = options.store?.kind ?? cfg.store.type
    const routes = cfg.routes.flatMap((r) => {
      const policies = { rate_limit: r.rate_limit ?? cfg.rate_limit, spike_arrest: r.spike_arrest ?? cfg.spike_arrest, quota: r.quota ?? cfg.quota }
      const active = Object.entries(policies).filter(([, p]) => p?.enabled)
      if (active.length === 0) return []
      return [{ route: r.id, policies: Object.fromEntries(active.map(([k, p]) => [k, { ...p, store: p!.mode === 'local' ? 'memory (local)' : kind }])) }]
    })
    return c.json({ store: kind, routes })
  })
  app.get('/routes', (c) => c.json({ routes: holder.current.routes() }))
  app.get('/backends', (c) => c.json({ backends: holder.current.backends() }))
  // Runway's view: each named upstream with its balancer and its backends' live state.
  app.get('/upstreams', (c) => {
    const gw = holder.current
    const live = gw.backends()
    const upstreams = Object.entries(gw.config.upstreams).map(([name, u]) => ({
      name,
      load_balancer: u.load_balancer,
      health_check: u.health_check !== undefined,
      backends: live.filter((b) => b.upstream === name),
    }))
    return c.json({ upstreams })
  })
  const registry = options.metrics
  const metricsCfg = holder.current.config.admin.metrics
  if (registry !== undefined && metricsCfg.enabled) {
    app.get(metricsCfg.path, (c) => c.body(registry.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }))
  }
  const reloader = options.reloader
  if (reloader !== undefined) {
    app.post('/reload', async (c) => {
      const result = await reloader.reload('admin')
      return c.json(result, result.ok ? 200 : 422)
    })
    app.get('/reload/status', (c) => c.json(reloader.status() ?? { ok: true, version: holder.current.version, at: null }))
  }
  app.get('/circuit-breakers', (c) => c.json({ circuit_breakers: holder.current.circuitBreakers() }))
  app.post('/circuit-breakers/:route/:action{open|close|reset}', (c) => {
    const route = c.req.param('route')
    const action = c.req.param('action') as 'open' | 'close' | 'reset'
    if (!holder.current.controlCircuit(route, action)) {
      return errorResponse(new GatewayError(404, 'not_found', `route ${route} has no circuit breaker`), requestIdFrom(c.req.raw.headers))
    }
    return c.json({ route, action, circuit_breakers: holder.current.circuitBreakers().filter((b) => b.route === route) })
  })
  const dashboard = holder.current.config.admin.ui?.enabled !== false
  if (dashboard) app.get('/ui', (c) =>
    c.html(DASHBOARD_PAGE, 200, {
      'content-security-policy': DASHBOARD_CSP,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    }),
  )
  if (dashboard) app.get('/ui/data', (c) => c.json(dashboardData(holder, { metrics: registry, reloader }), 200, { 'cache-control': 'no-store' }))
  // Admin-managed API keys live in the shared store (authentication.api_key.store).
  if (options.store !== undefined && holder.current.config.authentication?.api_key?.store) mountApiKeyAdmin(app, options.store)
  const push = options.pushConfig
  if (push !== undefined) {
    app.put('/config', async (c) => {
      const result = await push(await c.req.text())
      if (!result.ok) {
        return c.json({ error: { status: 400, code: 'config_invalid', message: result.error, request_id: c.res.headers.get('x-request-id') } }, 400)
      }
      return c.json({ ok: true, version: result.version, note: 'every isolate switches within cloudflare.config_check_interval' })
    })
  }
  app.get('/config', (c) =>
    c.json({ version: holder.current.version, loaded_at: new Date(holder.loadedAt).toISOString(), inactive: holder.current.inactive, config: redactConfig(holder.current.config) }),
  )
  app.notFound((c) => errorResponse(new GatewayError(404, 'not_found', 'no such admin endpoint'), c.res.headers.get('x-request-id') ?? requestIdFrom(c.req.raw.headers)))
  app.onError((err, c) => errorResponse(err, requestIdFrom(c.req.raw.headers)))
  return app
}
