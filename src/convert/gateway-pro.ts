/**
 * gateway-pro (snehakhoreja/gateway-pro, a Go gateway) → Portico. Its format is the README's
 * "Configuration" block: `server`, `admin`, `logging` and `routes[]` with `path_prefix`,
 * `lb_algorithm`, `backends`, `rate_limit` and a per-backend `circuit_breaker`. Every key either
 * maps or leaves a note saying why not.
 * @module
 */
import type { LoadBalancerName } from '../config/types.ts'
import { type State, UNKNOWN, circuitBreaker, rateLimit } from './gateway-pro-limits.ts'
import { renderConverted } from './render.ts'
import { type ConvertResult, type Out, type Section, idFromPath, isBackendUrl, readSource } from './source.ts'

const GATEWAY = 'gateway-pro'

const BALANCERS: Record<string, LoadBalancerName> = {
  round_robin: 'round_robin',
  least_conn: 'least_conn',
  // Portico's round robin is weighted already (smooth weighted round robin over `weight`).
  weighted: 'round_robin',
  ip_hash: 'ip_hash',
}

export function convertGatewayPro(text: string): ConvertResult {
  const r = readSource(text, GATEWAY)
  const s: State = { r, out: {} }
  server(s, r.root.section('server'))
  admin(s, r.root.section('admin'))
  logging(s, r.root.section('logging'))
  const taken = new Set<string>()
  const routes: Out[] = []
  for (const route of r.root.sections('routes')) {
    const converted = convertRoute(s, route, taken, routes.length)
    if (converted !== null) routes.push(converted)
  }
  if (routes.length > 0) {
    s.out.routes = routes
    r.note(
      'routes',
      'gateway-pro health-checks every backend actively, and its README names no path or interval for it; Portico checks only where health_check is set: add `health_check: { path: /health, interval: 10s }` at the top level for every route',
      ['routes'],
    )
  }
  r.root.rest(UNKNOWN)
  return renderConverted(GATEWAY, order(s.out), r.notes)
}

/** Portico's usual key order, so the file reads like a hand-written one. */
function order(out: Out): Out {
  const keys = ['listeners', 'admin', 'logging', 'store', 'redis', 'routes']
  return Object.fromEntries(keys.filter((k) => out[k] !== undefined).map((k) => [k, out[k]]))
}

function server(s: State, srv: Section | undefined): void {
  if (srv === undefined) return
  const addr = srv.str('addr')
  const http: Out = {}
  const read = srv.duration('read_timeout_seconds', 's')
  const write = srv.duration('write_timeout_seconds', 's')
  // Go's http.Server ReadTimeout bounds reading the whole request, as Portico's read_timeout does.
  if (read !== undefined) http.read_timeout = read
  if (write !== undefined) {
    http.write_timeout = write
    s.r.note(`${srv.path}.write_timeout_seconds`, 'Portico accepts listeners[].http.write_timeout but does not enforce it yet; a route `timeout` bounds each exchange', [
      'listeners',
      0,
      'http',
      'write_timeout',
    ])
  }
  if (addr !== undefined) s.out.listeners = [{ id: 'http', address: addr, ...(Object.keys(http).length > 0 ? { http } : {}) }]
  else if (Object.keys(http).length > 0) s.r.note(srv.path, 'timeouts without server.addr have no listener to apply to; not converted')
  srv.rest(UNKNOWN)
}

function admin(s: State, a: Section | undefined): void {
  if (a === undefined) return
  const addr = a.str('addr')
  if (addr !== undefined) {
    s.out.admin = { address: addr }
    s.r.note(
      `${a.path}.addr`,
      "Portico's admin listener serves /metrics, /healthz, /readyz and /backends like gateway-pro's, and also POST /reload and /drain: set admin.token when it listens beyond 127.0.0.1. Metric names differ: gateway_requests_total is portico_requests_total, gateway_request_duration_seconds is portico_request_duration_seconds (labelled by route), gateway_active_connections is portico_active_requests",
      ['admin', 'address'],
    )
  }
  a.rest(UNKNOWN)
}

function logging(s: State, l: Section | undefined): void {
  if (l === undefined) return
  const level = l.str('level')
  if (level !== undefined) {
    if (['debug', 'info', 'warn', 'error'].includes(level)) s.out.logging = { level }
    else s.r.note(`${l.path}.level`, `"${level}" is not a log level (debug, info, warn, error); not converted`)
  }
  const format = l.str('format')
  if (format === 'console') {
    s.r.note(`${l.path}.format`, "console (human-readable) log lines do not map: Portico writes JSON lines, and its logging.format is Runway's access-log template instead", [
      'logging',
    ])
  } else if (format !== undefined && format !== 'json') s.r.note(`${l.path}.format`, `"${format}" is not json or console; not converted`)
  l.rest(UNKNOWN)
}

function convertRoute(s: State, route: Section, taken: Set<string>, index: number): Out | null {
  const prefix = route.str('path_prefix')
  if (prefix === undefined || !prefix.startsWith('/')) {
    s.r.note(route.path, 'a route needs path_prefix starting with "/"; route not converted')
    route.rest(UNKNOWN)
    return null
  }
  const at = (...path: (string | number)[]) => ['routes', index, ...path]
  const out: Out = { id: idFromPath(prefix, taken), path: prefix, path_prefix: true }
  const lb = route.str('lb_algorithm')
  if (lb !== undefined) {
    if (BALANCERS[lb] !== undefined) out.load_balancer = BALANCERS[lb]
    else s.r.note(`${route.path}.lb_algorithm`, `"${lb}" is not round_robin, least_conn, weighted or ip_hash; the default (round_robin) is used`, at())
  }
  const timeout = route.duration('timeout_seconds', 's')
  if (timeout !== undefined) out.timeout = timeout
  const strip = route.bool('strip_prefix')
  if (strip !== undefined) out.strip_prefix = strip
  const backends = route.sections('backends').flatMap((b) => backend(s, b))
  if (backends.length === 0) {
    s.r.note(route.path, 'a route needs at least one backend with an http(s) url; route not converted')
    route.rest(UNKNOWN)
    return null
  }
  out.backends = backends
  const rl = route.section('rate_limit')
  if (rl !== undefined) rateLimit(s, rl, out, at)
  const cb = route.section('circuit_breaker')
  if (cb !== undefined) circuitBreaker(s, cb, out, at)
  route.rest(UNKNOWN, at())
  return out
}

function backend(s: State, b: Section): Out[] {
  const url = b.str('url')
  const weight = b.num('weight')
  b.rest(UNKNOWN)
  if (url === undefined || !isBackendUrl(url)) {
    s.r.note(b.path, `${url === undefined ? 'no url' : `"${url}" is not an absolute http(s) URL without a query`}; backend not converted`)
    return []
  }
  if (weight !== undefined && !(Number.isInteger(weight) && weight >= 1)) {
    s.r.note(`${b.path}.weight`, 'Portico weights are whole numbers from 1; the default (1) is used')
    return [{ url }]
  }
  return [weight === undefined ? { url } : { url, weight }]
}
