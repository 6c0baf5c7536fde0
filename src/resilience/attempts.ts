/**
 * The try loop of one request: retries (budget, backoff, a different endpoint each time where
 * possible, the request deadline over all of them) or hedged tries, and the circuit breaker fed
 * once from the outcome. Generic over the endpoint, so any handler that picks from a pool and
 * forwards (proxy today; WebSocket connects, provider failover later) uses the same loop.
 * @module
 */
import type { RequestContext } from '../core/context.ts'
import { GatewayError } from '../core/errors.ts'
import type { UpstreamAnswer } from '../core/runtime.ts'
import type { CircuitBreaker } from './circuit-breaker.ts'
import { type HedgingConfig, hedge } from './hedging.ts'
import type { RetryPolicy } from './retry.ts'

export interface AttemptPlan {
  retry: RetryPolicy | null
  /** Retries this request may make (0: one try; its body cannot be replayed, or the method is not retryable). */
  retries: number
  /** Absolute time (runtime.now) after which no try starts; Infinity: none. */
  deadline: number
  /** Time to response headers allowed per try, ms. */
  tryTimeoutMs: number
  breaker: CircuitBreaker | null
  now: () => number
}

/** `last`: no retry can follow this try, so the forwarder may answer the client itself. */
export type Attempt<E> = (endpoint: E, last: boolean, timeoutMs: number, cancel?: AbortSignal) => Promise<UpstreamAnswer>

/** A client that went away (499) says nothing about the backend; 5xx and transport errors do. */
export function countsAsFailure(err: unknown): boolean {
  return !(err instanceof GatewayError) || err.status >= 500
}

/** 503 with Retry-After: every endpoint of the pool is unhealthy or ejected. */
export function noHealthyBackend(): GatewayError {
  return new GatewayError(503, 'no_healthy_backend', 'no healthy backend is available', { 'retry-after': '5' })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export async function runAttempts<E>(
  ctx: RequestContext,
  plan: AttemptPlan,
  first: E,
  next: (tried: readonly E[]) => E | null,
  attempt: Attempt<E>,
): Promise<UpstreamAnswer> {
  const { now, breaker, retry } = plan
  let retriesLeft = plan.retries
  const budget = retriesLeft > 0 ? retry!.budget : null
  budget?.request(now())
  const tried: E[] = []
  let endpoint = first
  let answer: UpstreamAnswer
  try {
    for (let n = 0; ; n++) {
      tried.push(endpoint)
      const left = plan.deadline - now()
      if (left <= 0) throw new GatewayError(504, 'upstream_timeout', 'request timeout reached before an answer')
      const last = retriesLeft === 0
      try {
        answer = await attempt(endpoint, last, Math.min(plan.tryTimeoutMs, left))
        if (last || !(answer instanceof Response) || !retry!.statusRetryable(answer.status) || !budget!.tryRetry(now(), n)) break
        await answer.body?.cancel()
      } catch (err) {
        const retryable = err instanceof GatewayError && (err.status === 502 || err.status === 504)
        if (last || !retryable || !budget!.tryRetry(now(), n)) throw err
      }
      retriesLeft--
      ctx.retries = n + 1
      const pause = retry!.backoffMs(n)
      if (now() + pause >= plan.deadline) retriesLeft = 0 // no time for another full try: last attempt now
      else await sleep(pause)
      const again = next(tried)
      if (again === null) throw noHealthyBackend()
      endpoint = again
    }
  } catch (err) {
    if (countsAsFailure(err)) breaker?.failure(now())
    throw err
  } finally {
    budget?.finish(ctx.retries)
  }
  if (breaker !== null) {
    if (answer.status >= 500) breaker.failure(now())
    else breaker.success(now())
  }
  return answer
}

/** Hedged tries (RFC-less, Envoy's hedge_on_per_try_timeout): a second copy after `delay`, first good answer wins. */
export async function runHedged<E>(
  ctx: RequestContext,
  cfg: HedgingConfig,
  badStatuses: ReadonlySet<number>,
  first: E,
  next: (tried: readonly E[]) => E | null,
  attempt: Attempt<E>,
  timeoutMs: number,
): Promise<Response> {
  const tried: E[] = []
  return hedge(cfg, (r) => !badStatuses.has(r.status), (i, cancel) => {
    const e = i === 0 ? first : next(tried)
    if (e === null) return Promise.reject(noHealthyBackend())
    tried.push(e)
    ctx.retries = i
    // Hedged tries never take the direct path: a loser must stay cancellable.
    return attempt(e, false, timeoutMs, cancel) as Promise<Response>
  })
}
