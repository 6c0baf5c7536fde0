/**
 * `rate_limit`, `spike_arrest` and `quota` compiled into LimitPolicy objects: rules, tiers,
 * key functions and the RateLimit-Policy field are computed once; a request costs one store
 * call. The store runs the algorithm (atomically for distributed stores).
 * @module
 */
import type { QuotaConfig, QuotaPeriod, RateLimitConfig, SpikeArrestConfig } from '../config/types.ts'
import type { RequestContext } from '../core/context.ts'
import type { RateDecision, RateRule, Store } from '../core/store.ts'
import { type KeyFn, createKeyFn, createRawKeyFn } from './limit-key.ts'

export interface LimitPolicy {
  /** Identifier in the RateLimit fields and the metrics label. */
  readonly name: 'rate' | 'spike' | 'quota'
  readonly code: string
  readonly message: string
  readonly store: Store
  readonly failClosed: boolean
  readonly headers: boolean
  /** The store call; rejects with StoreError when the store fails. */
  decide(ctx: RequestContext, now: number): Promise<LimitResult>
}

export interface LimitResult {
  decision: RateDecision
  /** `RateLimit-Policy` member for this request's rule (precomputed). */
  policy: string
}

interface CompiledRule {
  rule: RateRule
  policy: string
  prefix: string
}

function bucketRule(name: string, algorithm: RateRule['algorithm'], rate: number, periodMs: number, burst: number | undefined, prefix: string): CompiledRule {
  if (algorithm === 'sliding_window') {
    return { rule: { algorithm, limit: rate, rate, periodMs }, policy: `"${name}";q=${rate};w=${Math.max(1, Math.ceil(periodMs / 1000))}`, prefix }
  }
  // A bucket holds `burst` (default: one period's worth); at least one, or nothing ever passes.
  const limit = Math.max(1, burst ?? Math.ceil(rate))
  const w = Math.max(1, Math.ceil((limit * periodMs) / rate / 1000))
  return { rule: { algorithm, limit, rate, periodMs }, policy: `"${name}";q=${limit};w=${w}`, prefix }
}

export function createRateLimitPolicy(route: string, cfg: RateLimitConfig, store: Store, failClosed: boolean): LimitPolicy {
  const key: KeyFn = createKeyFn(cfg.key)
  const base = cfg.rate === undefined ? null : bucketRule('rate', cfg.algorithm, cfg.rate, cfg.period, cfg.burst, `rl:${route}::`)
  let pick: (ctx: RequestContext) => CompiledRule
  if (cfg.tiers === undefined) {
    pick = () => base!
  } else {
    const tiers = new Map<string, CompiledRule>()
    for (const [name, t] of Object.entries(cfg.tiers)) {
      tiers.set(name, bucketRule('rate', cfg.algorithm, t.rate, t.period ?? cfg.period, t.burst ?? cfg.burst, `rl:${route}:${name}:`))
    }
    const fallback = cfg.default_tier !== undefined ? tiers.get(cfg.default_tier)! : base!
    const tierOf = createRawKeyFn(cfg.tier_key!)
    pick = (ctx) => {
      const t = tierOf(ctx)
      return (t !== null && tiers.get(t)) || fallback
    }
  }
  return {
    name: 'rate',
    code: 'rate_limited',
    message: 'rate limit exceeded',
    store,
    failClosed,
    headers: cfg.headers,
    async decide(ctx) {
      const r = pick(ctx)
      return { decision: await store.limit(r.prefix + key(ctx), r.rule), policy: r.policy }
    },
  }
}

export function createSpikeArrestPolicy(route: string, cfg: SpikeArrestConfig, store: Store, failClosed: boolean): LimitPolicy {
  const key = createKeyFn(cfg.key)
  const r = bucketRule('spike', 'gcra', cfg.rate, cfg.period, cfg.burst, `sa:${route}:`)
  return {
    name: 'spike',
    code: 'spike_arrest',
    message: 'requests arrive faster than this route allows',
    store,
    failClosed,
    headers: true,
    async decide(ctx) {
      return { decision: await store.limit(r.prefix + key(ctx), r.rule), policy: r.policy }
    },
  }
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

const NOUN: Record<QuotaPeriod, string> = { hourly: 'hour', daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year' }

/** The calendar window (UTC) holding `now`: [start, end). Weeks start on Monday (ISO 8601). */
export function quotaWindow(period: QuotaPeriod, now: number): [number, number] {
  switch (period) {
    case 'hourly': {
      const s = Math.floor(now / HOUR) * HOUR
      return [s, s + HOUR]
    }
    case 'daily': {
      const s = Math.floor(now / DAY) * DAY
      return [s, s + DAY]
    }
    case 'weekly': {
      // 1970-01-01 was a Thursday: shift by 3 days so index boundaries fall on Mondays.
      const s = (Math.floor((Math.floor(now / DAY) + 3) / 7) * 7 - 3) * DAY
      return [s, s + 7 * DAY]
    }
    case 'monthly': {
      const d = new Date(now)
      return [Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)]
    }
    case 'yearly': {
      const y = new Date(now).getUTCFullYear()
      return [Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1)]
    }
  }
}

export function createQuotaPolicy(route: string, cfg: QuotaConfig, store: Store, failClosed: boolean): LimitPolicy {
  const key = createKeyFn(cfg.key)
  return {
    name: 'quota',
    code: 'quota_exceeded',
    message: `quota for this ${NOUN[cfg.period]} is used up`,
    store,
    failClosed,
    headers: true,
    async decide(ctx) {
      // Calendar windows follow the wall clock, not the monotonic one.
      const wall = Date.now()
      const [start, end] = quotaWindow(cfg.period, wall)
      // The window is part of the key: the next window starts from zero whatever the TTL does.
      const rule: RateRule = { algorithm: 'fixed_window', limit: cfg.limit, rate: cfg.limit, periodMs: Math.max(1, end - wall) }
      const decision = await store.limit(`q:${route}:${start}:${key(ctx)}`, rule)
      return { decision, policy: `"quota";q=${cfg.limit};w=${Math.round((end - start) / 1000)}` }
    },
  }
}
