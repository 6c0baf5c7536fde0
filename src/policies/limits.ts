/**
 * One route's limits (rate_limit → spike_arrest → quota, Runway's order) as one function run
 * before the request is forwarded. It refuses with 429 (Retry-After, RateLimit fields) or,
 * when a store fails and the policy is fail_closed, 503; otherwise it leaves the RateLimit
 * fields in `ctx.responseHeaders` for the response (draft-ietf-httpapi-ratelimit-headers).
 * @module
 */
import type { Config, FailurePolicy, RouteConfig } from '../config/types.ts'
import type { RequestContext } from '../gateway/context.ts'
import { GatewayError } from '../gateway/errors.ts'
import type { HeaderEdit } from '../gateway/header-edits.ts'
import type { GatewayMetrics } from '../observability/gateway-metrics.ts'
import { type Store, StoreError } from '../store/types.ts'
import { type LimitPolicy, type LimitResult, createQuotaPolicy, createRateLimitPolicy, createSpikeArrestPolicy } from './rate-limit.ts'

export interface LimitStores {
  /** Per process/isolate (`mode: local`). */
  local: Store
  /** The configured `store` (`mode: distributed`). */
  shared: Store
}

export type RouteLimiter = (ctx: RequestContext, now: number) => Promise<void>

export function createRouteLimiter(route: RouteConfig, config: Config, stores: LimitStores, metrics: GatewayMetrics | null): RouteLimiter | null {
  const policies: LimitPolicy[] = []
  const failClosed = (p: FailurePolicy | undefined) => (p ?? config.store.failure_policy) === 'fail_closed'
  const storeFor = (mode: 'local' | 'distributed') => (mode === 'local' ? stores.local : stores.shared)
  const rl = route.rate_limit ?? config.rate_limit
  if (rl?.enabled) policies.push(createRateLimitPolicy(route.id, rl, storeFor(rl.mode), failClosed(rl.failure_policy)))
  const sa = route.spike_arrest ?? config.spike_arrest
  if (sa?.enabled) policies.push(createSpikeArrestPolicy(route.id, sa, storeFor(sa.mode), failClosed(sa.failure_policy)))
  const q = route.quota ?? config.quota
  if (q?.enabled) policies.push(createQuotaPolicy(route.id, q, storeFor(q.mode), failClosed(q.failure_policy)))
  if (policies.length === 0) return null
  const routeId = route.id

  /** A store failure: fail_open admits without RateLimit fields, fail_closed refuses with 503. */
  function settle(p: LimitPolicy, ctx: RequestContext, now: number): Promise<LimitResult | null> {
    return p.decide(ctx, now).catch((err: unknown) => {
      if (!(err instanceof StoreError)) throw err
      if (p.failClosed) {
        throw new GatewayError(503, 'store_unavailable', `the ${p.name} limit store is unavailable`, { 'retry-after': '1' })
      }
      return null
    })
  }

  return async function applyLimits(ctx, now) {
    const results = policies.length === 1 ? [await settle(policies[0]!, ctx, now)] : await Promise.all(policies.map((p) => settle(p, ctx, now)))
    let policyField = ''
    let stateField = ''
    let refused: LimitPolicy | null = null
    let retryAfterMs = 0
    for (let i = 0; i < results.length; i++) {
      const r = results[i]
      const p = policies[i]!
      if (r === null || r === undefined) continue
      const d = r.decision
      if (!d.allowed && d.retryAfterMs >= retryAfterMs) {
        refused = p
        retryAfterMs = d.retryAfterMs
      }
      if (!p.headers) continue
      const t = Math.ceil((d.allowed ? d.resetMs : d.retryAfterMs) / 1000)
      policyField += (policyField === '' ? '' : ', ') + r.policy
      stateField += `${stateField === '' ? '' : ', '}"${p.name}";r=${d.remaining};t=${t}`
    }
    if (refused !== null) {
      metrics?.rateLimitRejects.inc([routeId, refused.name])
      const headers: Record<string, string> = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }
      if (policyField !== '') {
        headers['ratelimit-policy'] = policyField
        headers.ratelimit = stateField
      }
      throw new GatewayError(429, refused.code, refused.message, headers)
    }
    if (policyField !== '') {
      const fields: HeaderEdit[] = [
        ['ratelimit-policy', policyField],
        ['ratelimit', stateField],
      ]
      if (ctx.responseHeaders === null) ctx.responseHeaders = fields
      else ctx.responseHeaders.push(...fields)
    }
  }
}
