/**
 * Every route policy, in phase order: one table, drawn in docs/phases.md. A route's policies
 * are built once from it; each factory returns null for a route without its block, and a
 * hook a policy lacks is left out of the route's lists, so unused phases cost nothing per
 * request. The config keys each entry activates are listed beside it: inactive.ts derives
 * "accepted but not active" from this table.
 * @module
 */
import type { EffectiveRoute } from '../config/resolve.ts'
import type { PolicyName, RequestHook, ResponseHeadHook, RoutePolicy, UpstreamRequestHook } from '../core/policy.ts'
import type { LimitStores } from '../core/store.ts'
import type { GatewayMetrics } from '../observability/gateway-metrics.ts'
import { createAuthPolicy } from './auth/auth-chain.ts'
import type { AuthMethod, AuthMethodName } from './auth/types.ts'
import { createCorsPolicy } from './cors.ts'
import { createIpFilterPolicy } from './ip-filter.ts'
import { createLimitsPolicy } from './limits.ts'
import { createSecurityHeadersPolicy } from './security-headers.ts'
import { createTransformPolicy } from './transform.ts'

export interface PolicyDeps {
  stores: LimitStores
  authMethods: Map<AuthMethodName, Promise<AuthMethod>>
  metrics: GatewayMetrics | null
}

export type PolicyFactory = (route: EffectiveRoute, deps: PolicyDeps) => RoutePolicy | null

interface PolicyEntry {
  readonly name: PolicyName
  /** Route keys (and top-level defaults) this policy makes active. */
  readonly keys: readonly string[]
  readonly create: PolicyFactory
}

export const ROUTE_POLICIES: readonly PolicyEntry[] = [
  { name: 'ip_filter', keys: ['ip_filter'], create: (r) => createIpFilterPolicy(r.route.ip_filter, `${r.where}.ip_filter`) },
  { name: 'cors', keys: ['cors'], create: (r) => (r.cors === null ? null : createCorsPolicy(r.cors.block, r.cors.where)) },
  {
    name: 'security_headers',
    keys: ['security_headers'],
    create: (r) => (r.securityHeaders === null ? null : createSecurityHeadersPolicy(r.securityHeaders.block, r.securityHeaders.where)),
  },
  { name: 'auth', keys: ['auth'], create: (r, d) => createAuthPolicy(r.route.id, r.route.auth, d.authMethods) },
  { name: 'rate_limit', keys: ['rate_limit', 'spike_arrest', 'quota'], create: (r, d) => createLimitsPolicy(r, d.stores, d.metrics) },
  { name: 'transform', keys: ['transform'], create: (r) => createTransformPolicy(r.route.transform) },
]

/** Config keys the policies activate, for inactive.ts. */
export const POLICY_KEYS: readonly string[] = ROUTE_POLICIES.flatMap((p) => p.keys)

/** A route's policies split by phase: only the hooks that exist, in table order. */
export interface RoutePolicies {
  readonly request: readonly RequestHook[]
  readonly upstreamRequest: readonly UpstreamRequestHook[]
  readonly responseHead: readonly ResponseHeadHook[]
}

export function compileRoutePolicies(route: EffectiveRoute, deps: PolicyDeps): RoutePolicies {
  const request: RequestHook[] = []
  const upstreamRequest: UpstreamRequestHook[] = []
  const responseHead: ResponseHeadHook[] = []
  for (const entry of ROUTE_POLICIES) {
    const p = entry.create(route, deps)
    if (p === null) continue
    if (p.onRequest) request.push({ name: p.name, run: p.onRequest })
    if (p.onUpstreamRequest) upstreamRequest.push({ name: p.name, run: p.onUpstreamRequest })
    if (p.onResponseHead) responseHead.push({ name: p.name, run: p.onResponseHead })
  }
  return { request, upstreamRequest, responseHead }
}
