/**
 * The isolate's side of the shared health checks (health-do.ts): verdicts are read from the
 * plan's Durable Object lazily on the request path, never once per request. Like HTTP's
 * stale-while-revalidate (RFC 5861 §3): fresh for one TTL (the plan's shortest interval, at most
 * MAX_TTL_MS); for one more TTL a request is served at once while one refresh runs under
 * waitUntil; older than that (a new isolate, or one idle for two TTLs) the request waits for the
 * refresh, at most HOLD_MS, rather than balance on verdicts that may be long wrong.
 * @module
 */
import type { Logger } from '../../src/core/runtime.ts'
import { applyVerdicts, type HealthCheckGroup, type HealthCheckPlan, planOf, type SharedHealthChecks } from '../../src/upstream/shared-health.ts'
import type { HealthStub } from './health-do.ts'
import type { DurableObjectId, DurableObjectNamespace } from './workers-api.ts'

/** The Durable Object binding the worker looks for (wrangler.toml). */
export const HEALTH_BINDING = 'PORTICO_HEALTH'
const MAX_TTL_MS = 10_000
const HOLD_MS = 250

export interface WorkerHealth extends SharedHealthChecks {
  /** null: serve now (a refresh may have gone to `waitUntil`); else a promise to await first. */
  sync(waitUntil: (p: Promise<unknown>) => void): Promise<void> | null
}

export function createWorkerHealth(ns: DurableObjectNamespace<HealthStub> | undefined, logger: Logger, clock: () => number = Date.now): WorkerHealth {
  let groups: ReadonlyMap<string, HealthCheckGroup> | null = null
  let plan: HealthCheckPlan[] = []
  let id: Promise<DurableObjectId> | null = null
  let ttl = 0
  let fetchedAt = Number.NEGATIVE_INFINITY
  let inflight: Promise<void> | null = null

  function refresh(): Promise<void> {
    inflight ??= (async () => {
      const mine = groups
      try {
        // A stub is cheap to make, and one made in another request's context must not be reused.
        const verdicts = await ns!.get(await id!).verdicts(plan)
        if (mine !== null && groups === mine) applyVerdicts(mine, verdicts)
      } catch (err) {
        logger.warn('health verdicts could not be read from the Durable Object; keeping the last ones', { error: String(err) })
      } finally {
        fetchedAt = clock()
        inflight = null
      }
    })()
    return inflight
  }

  return {
    start(g) {
      if (typeof ns?.idFromName !== 'function') {
        logger.warn(`active health checks on Workers need the Durable Object binding ${HEALTH_BINDING} (wrangler.toml); passive outlier detection only`)
        return () => {}
      }
      groups = g
      plan = planOf(g)
      ttl = Math.min(MAX_TTL_MS, ...plan.map((p) => p.check.interval))
      id = planName(plan).then((name) => ns.idFromName(name))
      fetchedAt = Number.NEGATIVE_INFINITY
      return () => {
        if (groups === g) groups = null
      }
    },
    sync(waitUntil) {
      if (groups === null) return null
      const age = clock() - fetchedAt
      if (age < ttl) return null
      const pending = refresh()
      waitUntil(pending)
      return age < 2 * ttl ? null : bounded(pending, HOLD_MS)
    },
  }
}

/** One object per plan: isolates serving the same config meet at the same object. */
async function planName(plan: HealthCheckPlan[]): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(plan))))
  return `portico-health:${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`
}

function bounded(p: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer))
}
