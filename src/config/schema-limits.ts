/**
 * Traffic limits and the stores behind them: `rate_limit` (Runway keys, plus `gcra` and
 * tiers), `spike_arrest`, `quota`, and the (portico) `store` block with `redis`/`upstash`/
 * `cloudflare` connection settings. Cross-key rules (KV refused for exact limits, upstash
 * credentials) live in `checkLimits`, called from the top-level refinement.
 * @module
 */
import { z } from 'zod'
import { ALWAYS, checkAliases } from './schema-alias.ts'
import { duration, strict } from './schema-parts.ts'
import type { QuotaConfig, QuotaPeriod, RateLimitConfig, SpikeArrestConfig } from './types.ts'

/** `ip` | `client_id` | `header:<name>` | `cookie:<name>` | `jwt_claim:<name>`. */
const LIMIT_KEY = /^(ip|client_id|(header|cookie|jwt_claim):.+)$/
const limitKey = z.string().regex(LIMIT_KEY, { message: 'must be ip, client_id, header:<name>, cookie:<name> or jwt_claim:<name>' })
const failurePolicy = z.enum(['fail_open', 'fail_closed'])
const mode = z.enum(['local', 'distributed'])

/**
 * Runway's `per_ip` next to `key` (docs/rate-limiting/rate-limiting-and-throttling.md: "per_ip:
 * true — per-IP limits (false = global per-route)"; the two are mutually exclusive there).
 */
const perIp = z.boolean().optional()

function checkPerIp(b: { per_ip?: boolean; key?: string }, ctx: z.RefinementCtx): void {
  if (b.per_ip === true && b.key !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'per_ip and key are mutually exclusive (per_ip: true is key: ip)', path: ['per_ip'] })
  }
}

/** The key a limit counts by: `key`, else per_ip true = ip, false = none (one bucket), else `absent`. */
function keyOf(key: string | undefined, perIpValue: boolean | undefined, absent: string | undefined): string | undefined {
  if (key !== undefined) return key
  if (perIpValue !== undefined) return perIpValue ? 'ip' : undefined
  return absent
}

const tier = strict({ rate: z.number().positive(), period: duration.optional(), burst: z.number().int().min(0).optional() })

export const rateLimit = strict({
  enabled: z.boolean().default(true),
  rate: z.number().positive().optional(),
  period: duration.default(1000),
  burst: z.number().int().min(0).optional(),
  per_ip: perIp,
  key: limitKey.optional(),
  mode: mode.default('local'),
  algorithm: z.enum(['token_bucket', 'sliding_window', 'gcra']).default('token_bucket'),
  tiers: z.record(z.string(), tier).optional(),
  tier_key: limitKey.optional(),
  default_tier: z.string().optional(),
  failure_policy: failurePolicy.optional(),
  /** (portico) RateLimit-Policy / RateLimit response fields. */
  headers: z.boolean().default(true),
}).superRefine((r, ctx) => {
  checkPerIp(r, ctx)
  if (r.tiers === undefined) {
    if (r.rate === undefined) ctx.addIssue({ code: 'custom', message: 'is required (or define tiers)', path: ['rate'] })
    if (r.tier_key !== undefined || r.default_tier !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'tier_key/default_tier need a tiers map', path: ['tiers'] })
    }
    return
  }
  if (r.tier_key === undefined) ctx.addIssue({ code: 'custom', message: 'is required with tiers (e.g. header:X-Plan or jwt_claim:plan)', path: ['tier_key'] })
  if (r.default_tier !== undefined && !(r.default_tier in r.tiers)) {
    ctx.addIssue({ code: 'custom', message: `no tier named "${r.default_tier}" (tiers: ${Object.keys(r.tiers).join(', ')})`, path: ['default_tier'] })
  }
  if (r.default_tier === undefined && r.rate === undefined) {
    ctx.addIssue({ code: 'custom', message: 'needs rate or default_tier for requests whose tier is unknown', path: ['default_tier'] })
  }
}).transform((r): RateLimitConfig => {
  // Runway's default key: the authenticated client, else the client IP.
  const key = keyOf(r.key, r.per_ip, 'client_id')
  const { key: _written, ...rest } = r
  return key === undefined ? rest : { ...rest, key }
})

/**
 * Smooths bursts to an even rate: `rate` per `period`, spaced evenly (GCRA, burst 1 by default).
 * One bucket for the route unless `per_ip: true` or a (portico) `key` (Runway's default).
 */
export const spikeArrest = strict({
  enabled: z.boolean().default(true),
  rate: z.number().positive(),
  period: duration.default(1000),
  burst: z.number().int().min(1).default(1),
  per_ip: perIp,
  key: limitKey.optional(),
  mode: mode.default('local'),
  failure_policy: failurePolicy.optional(),
})
  .superRefine(checkPerIp, ALWAYS)
  .transform((s): SpikeArrestConfig => {
    const key = keyOf(s.key, s.per_ip, undefined)
    const { key: _written, ...rest } = s
    return key === undefined ? rest : { ...rest, key }
  })

/** Portico's `window` names → Runway's `period` names. */
const PERIOD_OF_WINDOW: Record<'hour' | 'day' | 'week' | 'month', QuotaPeriod> = { hour: 'hourly', day: 'daily', week: 'weekly', month: 'monthly' }

/**
 * Calendar quota: `limit` per period (UTC), counted in the store. Runway's `period` and `redis`;
 * Portico's `window` and `mode` are accepted in their place.
 */
export const quota = strict({
  enabled: z.boolean().default(true),
  limit: z.number().int().positive(),
  period: z.enum(['hourly', 'daily', 'weekly', 'monthly', 'yearly']).optional(),
  window: z.enum(['hour', 'day', 'week', 'month']).optional(),
  key: limitKey.default('client_id'),
  mode: mode.optional(),
  /** Runway: true = count in the shared store (mode: distributed), false = in the process (local). */
  redis: z.boolean().optional(),
  failure_policy: failurePolicy.optional(),
})
  .superRefine(checkAliases({ period: 'window', redis: 'mode' }), ALWAYS)
  .transform(({ window, redis, ...q }): QuotaConfig => ({
    ...q,
    period: q.period ?? (window === undefined ? 'daily' : PERIOD_OF_WINDOW[window]),
    mode: q.mode ?? (redis === undefined ? 'distributed' : redis ? 'distributed' : 'local'),
  }))

export const store = strict({
  type: z.enum(['memory', 'redis', 'upstash', 'cloudflare_kv', 'durable_object']).default('memory'),
  /** Deadline of every store call; past it the feature's failure policy applies. */
  timeout: duration.default(250),
  failure_policy: failurePolicy.default('fail_open'),
  key_prefix: z.string().default('portico:'),
  /** memory: entries kept at most (LRU beyond). */
  max_keys: z.number().int().positive().default(100_000),
  /** durable_object: how many objects the keys are spread over. */
  shards: z.number().int().positive().max(1024).default(16),
})

export const STORE_DEFAULTS = {
  type: 'memory',
  timeout: 250,
  failure_policy: 'fail_open',
  key_prefix: 'portico:',
  max_keys: 100_000,
  shards: 16,
} as const

export const redis = strict({
  address: z.string().min(1).default('127.0.0.1:6379'),
  password: z.string().optional(),
  db: z.number().int().min(0).optional(),
  tls: z.boolean().optional(),
})

export const upstash = strict({ url: z.string().optional(), token: z.string().optional() })

export const cloudflare = strict({
  kv_binding: z.string().optional(),
  durable_object_binding: z.string().optional(),
  config_kv_key: z.string().optional(),
  /** (portico) how often each isolate re-reads config_kv_key (default 30 s). */
  config_check_interval: duration.optional(),
  /** (portico) Workers Analytics Engine dataset binding: one data point per request. */
  analytics_engine_binding: z.string().optional(),
})

interface LimitsView {
  store?: { type?: string }
  upstash?: { url?: string; token?: string }
  rate_limit?: { mode?: string }
  spike_arrest?: { mode?: string }
  quota?: { mode?: string }
  routes?: unknown
}

const LIMIT_BLOCKS = ['rate_limit', 'spike_arrest', 'quota'] as const

/** Rules across blocks: a store that cannot give an exact shared count is refused for it. */
export function checkLimits(c: LimitsView, ctx: z.RefinementCtx): void {
  const type = c.store?.type
  if (type === 'upstash' && (!c.upstash?.url || !c.upstash?.token)) {
    ctx.addIssue({ code: 'custom', message: 'store.type upstash needs upstash.url and upstash.token', path: ['upstash'] })
  }
  if (type !== 'cloudflare_kv') return
  const why =
    'mode: distributed needs an exact shared count, and cloudflare_kv cannot give one: it is eventually consistent (writes take up to ~60 s to be seen by other locations and there is no atomic increment); use store.type durable_object, upstash or redis, or mode: local'
  const check = (block: { mode?: string } | undefined, path: (string | number)[]) => {
    if (block?.mode === 'distributed') ctx.addIssue({ code: 'custom', message: why, path: [...path, 'mode'] })
  }
  for (const b of LIMIT_BLOCKS) check(c[b], [b])
  if (Array.isArray(c.routes)) {
    c.routes.forEach((r: Record<string, { mode?: string } | undefined> | null, i) => {
      if (r !== null && typeof r === 'object') for (const b of LIMIT_BLOCKS) check(r[b], ['routes', i, b])
    })
  }
}
