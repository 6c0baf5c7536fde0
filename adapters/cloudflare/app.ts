/**
 * The Worker's Hono app: the gateway as a catch-all, plus the admin API mounted under
 * `admin.path_prefix` (Workers have no separate admin listener).
 * @module
 */
import { Hono, type Context } from 'hono'
import { type AdminAppOptions, createAdminApp } from '../../src/admin/admin-app.ts'
import type { Store } from '../../src/core/store.ts'
import type { MetricsRegistry } from '../../src/core/metrics.ts'
import type { GatewayHolder } from '../../src/gateway/holder.ts'
import type { RequestInfo } from '../../src/core/runtime.ts'

export interface PorticoAppOptions {
  /** Builds the per-request facts from Hono's context (peer address, waitUntil, native objects). */
  requestInfo: (c: Context) => RequestInfo
  /** Mount the admin API here (e.g. `/__portico`) on this app; token required on every endpoint. */
  adminMount?: { prefix: string; token: string; metrics?: MetricsRegistry; store?: Store; pushConfig?: AdminAppOptions['pushConfig'] }
}

export function createPorticoApp(holder: GatewayHolder, options: PorticoAppOptions): Hono {
  // Bindings differ per runtime (Node's incoming/outgoing, Bun's server, Deno's info, Workers' env);
  // only the adapter's `requestInfo` reads them.
  const app = new Hono()
  if (options.adminMount) {
    app.route(options.adminMount.prefix, createAdminApp(holder, { token: options.adminMount.token, tokenForAll: true, basePath: options.adminMount.prefix, pushConfig: options.adminMount.pushConfig, metrics: options.adminMount.metrics, store: options.adminMount.store }))
  }
  const info = options.requestInfo
  app.all('*', function gatewayHandler(c) {
    return holder.current.fetch(c.req.raw, info(c))
  })
  return app
}
