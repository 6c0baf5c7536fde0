/**
 * The rate algorithms as pure functions over a small numeric state. Memory, Durable Object and
 * KV stores run these; Redis/Upstash run the same arithmetic in Lua (lua.ts) — the shared store
 * suite checks that both agree. A rejected request never changes the state.
 * @module
 */
import type { RateDecision, RateRule } from '../core/store.ts'

/** Result of one step: the decision, and the state to write back (null = leave as is). */
export interface RateStep extends RateDecision {
  state: number[] | null
  /** Expiry to give the written state, ms (state older than this is equivalent to none). */
  ttlMs: number
}

// Float slack so `3 × (1000/3) ≤ 1000` holds: a boundary request is admitted, not lost to rounding.
const EPS = 1e-6

/**
 * @param state  the stored numbers, or null when the key is absent/expired
 * @param ttlLeftMs  the stored key's remaining life (fixed_window keeps its first expiry)
 * @param now  ms; the store's clock (Redis uses its own TIME so gateway clocks need not agree)
 */
export function rateStep(rule: RateRule, state: number[] | null, ttlLeftMs: number, now: number, cost: number): RateStep {
  switch (rule.algorithm) {
    case 'token_bucket':
      return tokenBucket(rule, state, now, cost)
    case 'gcra':
      return gcra(rule, state, now, cost)
    case 'sliding_window':
      return slidingWindow(rule, state, now, cost)
    case 'fixed_window':
      return fixedWindow(rule, state, ttlLeftMs, cost)
  }
}

/** state = [tokens, last refill time]. */
function tokenBucket(rule: RateRule, state: number[] | null, now: number, cost: number): RateStep {
  const per = rule.periodMs / rule.rate // ms to regain one token
  const cap = rule.limit
  let tokens = cap
  if (state !== null) tokens = Math.min(cap, state[0]! + Math.max(0, now - state[1]!) / per)
  if (tokens + EPS >= cost) {
    tokens = Math.max(0, tokens - cost)
    const resetMs = Math.ceil((cap - tokens) * per)
    return { allowed: true, remaining: Math.floor(tokens + EPS), resetMs, retryAfterMs: 0, state: [tokens, now], ttlMs: resetMs + 1 }
  }
  return {
    allowed: false,
    remaining: Math.floor(tokens + EPS),
    resetMs: Math.ceil((cap - tokens) * per),
    retryAfterMs: Math.max(1, Math.ceil((cost - tokens) * per)),
    state: null,
    ttlMs: 0,
  }
}

/** Generic cell rate algorithm, state = [theoretical arrival time]. */
function gcra(rule: RateRule, state: number[] | null, now: number, cost: number): RateStep {
  const t = rule.periodMs / rule.rate
  const tau = rule.limit * t
  const tat = state === null ? now : Math.max(state[0]!, now)
  const next = tat + cost * t
  if (next - now <= tau + EPS) {
    const remaining = Math.max(0, Math.floor((tau - (next - now)) / t + EPS))
    const resetMs = Math.ceil(next - now)
    return { allowed: true, remaining, resetMs, retryAfterMs: 0, state: [next], ttlMs: resetMs + 1 }
  }
  return {
    allowed: false,
    remaining: Math.max(0, Math.floor((tau - (tat - now)) / t + EPS)),
    resetMs: Math.ceil(tat - now),
    retryAfterMs: Math.max(1, Math.ceil(next - now - tau)),
    state: null,
    ttlMs: 0,
  }
}

/** state = [window index, previous window count, current window count]. */
function slidingWindow(rule: RateRule, state: number[] | null, now: number, cost: number): RateStep {
  const w = rule.periodMs
  const limit = rule.limit
  const idx = Math.floor(now / w)
  let prev = 0
  let curr = 0
  if (state !== null) {
    if (state[0] === idx) {
      prev = state[1]!
      curr = state[2]!
    } else if (state[0] === idx - 1) prev = state[2]!
  }
  const elapsed = now - idx * w
  const estimate = prev * (1 - elapsed / w) + curr
  const resetMs = Math.ceil(w - elapsed)
  if (estimate + cost <= limit + EPS) {
    const remaining = Math.max(0, Math.floor(limit - estimate - cost + EPS))
    // Kept through the next window, where it is the weighted "previous" count.
    return { allowed: true, remaining, resetMs, retryAfterMs: 0, state: [idx, prev, curr + cost], ttlMs: Math.ceil(2 * w - elapsed) }
  }
  let wait: number
  if (limit - curr - cost >= 0 && prev > 0) {
    // Still this window: wait until the previous window's weight has decayed enough.
    wait = w * (1 - (limit - curr - cost) / prev) - elapsed
  } else {
    // Next window: this window's count becomes the decaying "previous".
    wait = w - elapsed + (curr > 0 ? Math.max(0, w * (1 - (limit - cost) / curr)) : 0)
  }
  const remaining = Math.max(0, Math.floor(limit - estimate + EPS))
  return { allowed: false, remaining, resetMs, retryAfterMs: Math.max(1, Math.ceil(wait)), state: null, ttlMs: 0 }
}

/** state = [count]; the key expires `periodMs` after its first hit. */
function fixedWindow(rule: RateRule, state: number[] | null, ttlLeftMs: number, cost: number): RateStep {
  const count = state === null ? 0 : state[0]!
  const ttl = state === null ? rule.periodMs : Math.max(1, ttlLeftMs)
  if (count + cost <= rule.limit) {
    return { allowed: true, remaining: rule.limit - count - cost, resetMs: ttl, retryAfterMs: 0, state: [count + cost], ttlMs: ttl }
  }
  return { allowed: false, remaining: Math.max(0, rule.limit - count), resetMs: ttl, retryAfterMs: ttl, state: null, ttlMs: 0 }
}
