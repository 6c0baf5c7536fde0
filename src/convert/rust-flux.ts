/**
 * rust-flux (Shiva936/rust-flux, an Axum gateway) → Portico. Its format is `GatewayConfig` in
 * its src/config.rs: `server`, `metrics`, `upstreams[]` (one `base_url` each), `routes[]`
 * referencing an upstream, an auth policy and a rate limit by name, `auth_policies[]` and
 * `rate_limits[]`. Every key either maps or leaves a note saying why not.
 * @module
 */
import { renderConverted } from './render.ts'
import {
  type AuthPolicy,
  type RateLimitPolicy,
  UNKNOWN,
  authentication,
  rateLimitNotes,
  readAuthPolicies,
  readRateLimits,
  routeAuth,
  routeRateLimit,
} from './rust-flux-policies.ts'
import { type ConvertResult, type Out, type Reading, type Section, isBackendUrl, readSource, uniqueId } from './source.ts'

const GATEWAY = 'rust-flux'

interface Upstream {
  path: string
  timeout?: string
  retry?: { attempts: number; backoff: string }
}

interface Route {
  /** Where it is in the source config (`routes.3`). */
  source: string
  out: Out
  auth?: AuthPolicy
  limit?: RateLimitPolicy
  /** How rust-flux matched it: first route in file order whose text prefix (or exact path) fits. */
  match: { path: string; exact: boolean; methods: string[] }
}

export function convertRustFlux(text: string): ConvertResult {
  const r = readSource(text, GATEWAY)
  const out: Out = {}
  server(r, r.root.section('server'), out)
  metrics(r, r.root.section('metrics'), out)
  const upstreams = readUpstreams(r, out)
  const policies = readAuthPolicies(r)
  const limits = readRateLimits(r)
  const routes = readRoutes(r, upstreams, policies, limits)
  const used = [...new Set(routes.flatMap((x) => (x.auth ? [x.auth.name] : [])))]
  const auth = authentication(r, policies, used)
  const verifier = used.length > 0 ? policies.get(used[0]!) : undefined
  const ids = routes.map((x) => x.out.id as string)
  routes.forEach((x, i) => {
    if (x.auth !== undefined) x.out.auth = routeAuth(r, x.auth, verifier!, ['routes', i, 'auth'])
    if (x.limit !== undefined) {
      const rl = routeRateLimit(r, x.limit, ids, i)
      if (rl !== undefined) x.out.rate_limit = rl
    }
  })
  const firstLimited = routes.findIndex((x) => x.out.rate_limit !== undefined)
  rateLimitNotes(r, limits, firstLimited === -1 ? [] : ['routes', firstLimited, 'rate_limit'])
  precedence(r, routes)
  r.root.rest(UNKNOWN)
  if (auth !== undefined) out.authentication = auth
  if (routes.length > 0) out.routes = routes.map((x) => x.out)
  return renderConverted(GATEWAY, order(out), r.notes)
}

function order(out: Out): Out {
  const keys = ['listeners', 'admin', 'shutdown', 'authentication', 'upstreams', 'routes']
  return Object.fromEntries(keys.filter((k) => out[k] !== undefined).map((k) => [k, out[k]]))
}

function server(r: Reading, s: Section | undefined, out: Out): void {
  if (s === undefined) return
  const addr = s.str('listen_addr')
  if (addr !== undefined) out.listeners = [{ id: 'http', address: addr }]
  const grace = s.duration('shutdown_grace_period_secs', 's')
  if (grace !== undefined) {
    out.shutdown = { timeout: grace }
    r.note(`${s.path}.shutdown_grace_period_secs`, 'rust-flux parses it but waits for every request without a bound (src/main.rs); Portico stops waiting after it', [
      'shutdown',
      'timeout',
    ])
  }
  s.rest(UNKNOWN)
}

function metrics(r: Reading, m: Section | undefined, out: Out): void {
  const path = m?.str('path')
  if (path !== undefined) out.admin = { metrics: { path } }
  m?.rest(UNKNOWN)
  r.note(
    m === undefined ? '' : m.path,
    "rust-flux answers /metrics, /healthz and /readyz on the gateway's own port; Portico answers them on its admin listener (admin.address, 127.0.0.1:8081 by default), so on the public port those paths go to the routes",
    out.admin === undefined ? undefined : ['admin'],
  )
}

function readUpstreams(r: Reading, out: Out): Map<string, Upstream> {
  const seen = new Map<string, Upstream>()
  const pools: Out = {}
  for (const u of r.root.sections('upstreams')) {
    const name = u.str('name')
    const url = u.str('base_url')
    const timeout = u.duration('timeout_ms', 'ms')
    const retry = u.section('retry')
    const attempts = retry?.num('attempts') ?? 1
    const backoff = retry?.duration('backoff_ms', 'ms') ?? '100ms'
    retry?.rest(UNKNOWN)
    u.rest(UNKNOWN)
    if (name === undefined || url === undefined || !isBackendUrl(url.replace(/\/$/, ''))) {
      r.note(u.path, 'an upstream needs a name and a base_url that is an absolute http(s) URL without a query; not converted')
      continue
    }
    if (seen.has(name)) {
      r.note(`${u.path}.name`, `a second upstream named "${name}" (rust-flux uses the first); not converted`)
      continue
    }
    const entry: Upstream = { path: u.path, ...(timeout !== undefined ? { timeout } : {}) }
    if (retry !== undefined) entry.retry = { attempts, backoff }
    seen.set(name, entry)
    pools[name] = { backends: [{ url }] }
    const applied = [
      ...(timeout !== undefined ? ["timeout_ms as the route's timeout"] : []),
      ...(retry !== undefined ? ['retry as retry_policy (attempts counts every try, so max_retries = attempts - 1; backoff_ms between tries; idempotent methods on 502, 503 and 504)'] : []),
    ]
    if (applied.length > 0) {
      const keys = [timeout !== undefined ? 'timeout_ms' : '', retry !== undefined ? 'retry' : ''].filter(Boolean)
      r.note(
        u.path,
        `rust-flux parses ${keys.join(' and ')} but its proxy does not apply ${keys.length > 1 ? 'them' : 'it'} (src/proxy.rs); Portico does, on every route to this upstream: ${applied.join('; ')}`,
        ['upstreams', name],
      )
    }
  }
  if (seen.size > 0) out.upstreams = pools
  return seen
}

function readRoutes(r: Reading, upstreams: Map<string, Upstream>, policies: Map<string, AuthPolicy>, limits: Map<string, RateLimitPolicy>): Route[] {
  const routes: Route[] = []
  const taken = new Set<string>()
  for (const s of r.root.sections('routes')) {
    const route = readRoute(r, s, upstreams, policies, limits, taken, routes.length)
    if (route !== null) routes.push(route)
  }
  return routes
}

function readRoute(
  r: Reading,
  s: Section,
  upstreams: Map<string, Upstream>,
  policies: Map<string, AuthPolicy>,
  limits: Map<string, RateLimitPolicy>,
  taken: Set<string>,
  index: number,
): Route | null {
  const id = s.str('id')
  const m = s.section('match_path')
  const exact = m?.str('exact')
  const prefix = m?.str('prefix')
  m?.rest(UNKNOWN)
  const methods = s.strList('methods') ?? []
  const upstream = s.str('upstream')
  const rewrite = s.str('rewrite_path')
  const authName = s.str('auth_policy')
  const limitName = s.str('rate_limit')
  s.rest(UNKNOWN, ['routes', index])
  const path = exact ?? prefix
  const refused = (why: string) => {
    r.note(s.path, `${why} (rust-flux refuses this config); route not converted`)
    return null
  }
  if (path === undefined || !path.startsWith('/') || (exact !== undefined && prefix !== undefined)) return refused('match_path needs one of exact or prefix, starting with "/"')
  if (upstream === undefined || !upstreams.has(upstream)) return refused(`no upstream named "${upstream ?? ''}"`)
  if (authName !== undefined && !policies.has(authName)) return refused(`no auth_policy named "${authName}"`)
  if (limitName !== undefined && !limits.has(limitName)) return refused(`no rate_limit named "${limitName}"`)
  const ownId = uniqueId(id ?? `route-${index}`, taken)
  if (id === undefined) r.note(s.path, `a route needs an id (rust-flux refuses it without one); "${ownId}" is used`, ['routes', index, 'id'])
  else if (ownId !== id) r.note(`${s.path}.id`, `a second route with id "${id}"; Portico needs unique ids: "${ownId}" is used`, ['routes', index, 'id'])
  const out: Out = { id: ownId, path }
  if (prefix !== undefined) out.path_prefix = true
  if (methods.length > 0) out.methods = methods
  out.upstream = upstream
  const u = upstreams.get(upstream)!
  if (u.timeout !== undefined) out.timeout = u.timeout
  if (u.retry !== undefined && u.retry.attempts > 1) {
    const maxRetries = Math.min(10, Math.floor(u.retry.attempts) - 1)
    if (maxRetries < u.retry.attempts - 1) r.note(`${u.path}.retry.attempts`, 'Portico retries at most 10 times; 10 is used', ['routes', index, 'retry_policy'])
    const backoff = u.retry.backoff
    out.retry_policy = { max_retries: maxRetries, initial_backoff: backoff, max_backoff: backoff, backoff_multiplier: 1 }
  }
  // src/proxy.rs build_upstream_uri: rewrite_path replaces the whole path; the query is kept.
  if (rewrite !== undefined) out.rewrite = { regex: '^.*$', replacement: rewrite.replaceAll('$', '$$$$') }
  const route: Route = { source: s.path, out, match: { path, exact: exact !== undefined, methods: methods.map((x) => x.toUpperCase()) } }
  if (authName !== undefined) route.auth = policies.get(authName)!
  if (limitName !== undefined) {
    route.limit = limits.get(limitName)!
    route.limit.routes.push(index)
  }
  return route
}

/**
 * rust-flux takes the first route in file order whose path is the exact path or starts with the
 * prefix as plain text; Portico matches whole segments and prefers exact paths, then the longest
 * prefix (docs/routing.md). Say where that changes which route answers.
 */
function precedence(r: Reading, routes: Route[]): void {
  const covers = (a: Route['match'], b: Route['match']) =>
    (a.exact ? b.exact && a.path === b.path : b.path.startsWith(a.path)) && (a.methods.length === 0 || (b.methods.length > 0 && b.methods.every((x) => a.methods.includes(x))))
  routes.forEach((b, j) => {
    const i = routes.findIndex((a, k) => k < j && covers(a.match, b.match))
    if (i !== -1) {
      r.note(
        b.source,
        `rust-flux never reaches this route: "${routes[i]!.out.id}" comes first and matches all its requests; in Portico the more specific route wins, so this one now serves its paths`,
        ['routes', j],
      )
    }
  })
  const first = routes.findIndex((x) => !x.match.exact)
  if (first !== -1) {
    r.note(
      'routes',
      'rust-flux matches a prefix as plain text (/api also matches /apix); Portico matches whole path segments (/api, /api/ and /api/…)',
      ['routes', first, 'path_prefix'],
    )
  }
}
