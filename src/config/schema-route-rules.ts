/**
 * Route rules across keys: what counts as the route's target, and Runway's `retries: N`
 * shorthand folded into `retry_policy`.
 * @module
 */
import type { z } from 'zod'
import { usesRunwayHandler } from './schema-missing.ts'
import { retryPolicy } from './schema-parts.ts'
import type { RetryPolicyConfig } from './types.ts'

/** A block that is written and not switched off (`ai: { enabled: false }` is no target). */
function isOn(block: unknown): boolean {
  if (block === undefined || block === null) return false
  return !(typeof block === 'object' && (block as { enabled?: unknown }).enabled === false)
}


const TARGETS_MESSAGE =
  'needs exactly one target: backends, upstream, echo: true, traffic_split (alone, or beside the backends or upstream Runway requires), or ai / service (accepted, not active yet)'

/**
 * Exactly one target. Runway requires `backends`, `upstream` or `service` beside a
 * `traffic_split` (config/validators.go) and then balances over the split groups only, so one of
 * them may stand beside it here too; an `ai` route has no backend (Runway: ai is mutually
 * exclusive with backends, service, upstream and echo).
 */
export function checkTargets(r: object, ctx: z.RefinementCtx): void {
  const o = r as Record<string, unknown>
  // A Runway target Portico lacks is refused by its own key's message; a second one would be noise.
  if (usesRunwayHandler(o)) return
  const pools = [o.backends, o.upstream, o.service].filter((k) => k !== undefined).length
  const echo = o.echo === true
  const ai = isOn(o.ai)
  const ok = o.traffic_split !== undefined ? !echo && !ai && pools <= 1 : pools + (echo ? 1 : 0) + (ai ? 1 : 0) === 1
  if (!ok) ctx.addIssue({ code: 'custom', message: TARGETS_MESSAGE, path: [] })
}

interface RetryKeys {
  retries?: number
  retry_policy?: RetryPolicyConfig
}

export function checkRetries(r: object, ctx: z.RefinementCtx): void {
  const o = r as RetryKeys
  if (typeof o.retries === 'number' && o.retries > 0 && o.retry_policy?.hedging?.enabled === true) {
    ctx.addIssue({ code: 'custom', message: 'hedging (retry_policy.hedging) is exclusive with retries > 0 (set one of them)', path: ['retries'] })
  }
}

/**
 * `retries: N` = `retry_policy: { max_retries: N }` with the policy's defaults; beside a
 * retry_policy it fills that block's max_retries when it is 0. A retry_policy with its own
 * max_retries wins, as in Runway (load.ts warns that `retries` is then unused).
 */
export function foldRetries<R extends RetryKeys>(r: R): R {
  const n = r.retries
  if (n === undefined || n === 0) return r
  const p = r.retry_policy
  if (p === undefined) return { ...r, retry_policy: retryPolicy.parse({ max_retries: n }) }
  if (p.max_retries === 0) return { ...r, retry_policy: { ...p, max_retries: n } }
  return r
}

/** Routes whose `retries` lost to their retry_policy's own max_retries (Runway's precedence). */
export function unusedRetries(routes: readonly RetryKeys[]): string[] {
  const out: string[] = []
  routes.forEach((r, i) => {
    if (r.retries !== undefined && r.retries > 0 && r.retry_policy !== undefined && r.retry_policy.max_retries !== r.retries) {
      out.push(`routes.${i}.retries: unused, retry_policy.max_retries (${r.retry_policy.max_retries}) is used`)
    }
  })
  return out
}
