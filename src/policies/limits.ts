/**
 * One route's limits (rate_limit → spike_arrest → quota, Runway's order) as one function run
 * before the request is forwarded. It refuses with 429 (Retry-After, RateLimit fields) or,
 * when a store fails and the policy is fail_closed, 503; otherwise it leaves the RateLimit
 * fields in `ctx.responseHeaders` for the response (draft-ietf-httpapi-ratelimit-headers).
 * @module
 */
import type { EffectiveRoute } from '../config/resolve.ts'
import type { FailurePolicy } from '../config/types.ts'
import type { RoutePolicy } from '../core/policy.ts'
import type { RequestContext } from '../core/context.ts'
import { GatewayError } from '../core/errors.ts'
import type { HeaderEdit } from '../core/headers.ts'
import type { GatewayMetrics } from '../observability/gateway-metrics.ts'
import { type LimitStores, StoreError } from '../core/store.ts'
import { type LimitPolicy, type LimitResult, createQuotaPolicy, createRateLimitPolicy, createSpikeArrestPolicy } from './rate-limit.ts'

/** The route's rate_limit → spike_arrest → quota as one request policy; null when none is enabled. */
export function createLimitsPolicy(er: EffectiveRoute, stores: LimitStores, metrics: GatewayMetrics | null): RoutePolicy | null {
  const policies: LimitPolicy[] = []
  const failClosed = (p: FailurePolicy | undefined) => (p ?? er.storeFailurePolicy) === 'fail_closed'
  const storeFor = (mode: 'local' | 'distributed') => (mode === 'local' ? stores.local : stores.shared)
  const id = er.route.id
  const rl = er.rateLimit
  if (rl?.enabled) policies.push(createRateLimitPolicy(id, rl, storeFor(rl.mode), failClosed(rl.failure_policy)))
  const sa = er.spikeArrest
  if (sa?.enabled) policies.push(createSpikeArrestPolicy(id, sa, storeFor(sa.mode), failClosed(sa.failure_policy)))
  const q = er.quota
  if (q?.enabled) policies.push(createQuotaPolicy(id, q, storeFor(q.mode), failClosed(q.failure_policy)))
  if (policies.length === 0) return null
  const routeId = id

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

  return { name: 'rate_limit', onRequest: applyLimits }

  async function applyLimits(ctx: RequestContext): Promise<void> {
    const now = ctx.startedAt
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
