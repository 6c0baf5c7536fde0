/**
 * Active health checks (Runway `health_check`), merged global → upstream → route → backend,
 * run on the adapter's timers (`schedule`). A probe is a port, `(endpoint, signal) →
 * healthy?`: HTTP goes through the runtime's fetch; a TCP probe (connect and close, through a
 * runtime `connect`) fits the same port for L4 pools. Workers have no timers outside a
 * request, so there the checks are not run and passive outlier detection protects the pool.
 * Verdicts live on the endpoints, not here: re-syncing the groups after a reload or a
 * discovery change restarts nothing for groups whose settings stayed the same.
 * @module
 */
import type { HealthCheckConfig } from '../config/types.ts'
import type { Endpoint, HttpEndpoint } from './endpoint.ts'

export interface ResolvedHealthCheck {
  type: 'http' | 'tcp'
  path: string
  method: string
  interval: number
  timeout: number
  healthy_after: number
  unhealthy_after: number
  /** The patterns `expected` was compiled from (kept so a check can be handed to another isolate as data). */
  expected_status: string[]
  expected: (status: number) => boolean
}

/** Resolves true when the endpoint answered as healthy before `signal` aborted. */
export type HealthProbe<E extends Endpoint = Endpoint> = (endpoint: E, signal: AbortSignal) => Promise<boolean>

/** Endpoints that share one merged check run in one round. */
export interface CheckGroup<E extends Endpoint = Endpoint> {
  check: ResolvedHealthCheck
  endpoints: readonly E[]
}

/**
 * Checks run outside this isolate (Workers, which have no timers outside a request: a Durable
 * Object alarm probes, adapters/cloudflare/health-do.ts). It takes over a version's groups and
 * writes its verdicts back onto the same endpoints (upstream/shared-health.ts).
 */
export interface SharedHealthChecks {
  start(groups: ReadonlyMap<string, CheckGroup<HttpEndpoint>>): () => void
}

/** What the checks need from the runtime. */
export interface CheckDeps {
  schedule?: (everyMs: number, fn: () => void) => () => void
  /** Where checks run when there is no `schedule`. */
  shared?: SharedHealthChecks
  logger: { warn(msg: string, fields?: Record<string, unknown>): void; error(msg: string, fields?: Record<string, unknown>): void }
  runtimeName: string
}

const DEFAULTS = { type: 'http', path: '/health', method: 'GET', interval: 10_000, timeout: 5_000, healthy_after: 2, unhealthy_after: 3, expected_status: ['200-399'] }

function noop(): void {}

/** `200`, `2xx`, `200-299` → one predicate, compiled once. */
export function compileStatusPatterns(patterns: readonly string[]): (status: number) => boolean {
  const ranges = patterns.map((p): [number, number] => {
    if (p.endsWith('xx')) {
      const base = Number(p[0]) * 100
      return [base, base + 99]
    }
    const [lo, hi] = p.split('-').map(Number)
    return [lo, hi ?? lo]
  })
  return (status) => ranges.some(([lo, hi]) => status >= lo && status <= hi)
}

export function resolveHealthCheck(...layers: (HealthCheckConfig | undefined)[]): ResolvedHealthCheck | null {
  if (layers.every((l) => l === undefined)) return null
  const merged: HealthCheckConfig = {}
  for (const layer of layers) if (layer) Object.assign(merged, Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)))
  return {
    ...DEFAULTS,
    ...merged,
    expected: compileStatusPatterns(merged.expected_status ?? DEFAULTS.expected_status),
  } as ResolvedHealthCheck
}

/** One probe round over `endpoints`; updates each endpoint's verdict by the after-N rules. */
export async function probeRound<E extends Endpoint>(check: ResolvedHealthCheck, endpoints: readonly E[], probe: HealthProbe<E>): Promise<void> {
  await Promise.all(
    endpoints.map(async (e) => {
      let ok = false
      try {
        ok = await probe(e, AbortSignal.timeout(check.timeout))
      } catch {
        ok = false
      }
      if (ok) {
        e.checkFailures = 0
        if (++e.checkSuccesses >= check.healthy_after) e.healthy = true
      } else {
        e.checkSuccesses = 0
        if (++e.checkFailures >= check.unhealthy_after) e.healthy = false
      }
    }),
  )
}

export interface HealthChecks<E extends Endpoint> {
  /** Runs exactly `groups` from now on: new keys start, missing keys stop, kept keys only take the new members. */
  sync(groups: ReadonlyMap<string, CheckGroup<E>>): void
  stop(): void
}

export function createHealthChecks<E extends Endpoint>(deps: CheckDeps, probeFor: (check: ResolvedHealthCheck) => HealthProbe<E>): HealthChecks<E> {
  const running = new Map<string, { group: CheckGroup<E>; stop: () => void }>()
  let sharedStop: () => void = noop
  let warned = false
  function start(key: string, group: CheckGroup<E>): void {
    const entry = { group, stop: () => {} }
    const probe = probeFor(group.check)
    let busy = false
    const round = () => {
      if (busy) return // a slow round must not overlap the next
      busy = true
      probeRound(entry.group.check, entry.group.endpoints, probe)
        .catch((err) => deps.logger.error('health check round failed', { group: key, error: String(err) }))
        .finally(() => {
          busy = false
        })
    }
    round()
    entry.stop = deps.schedule!(group.check.interval, round)
    running.set(key, entry)
  }
  return {
    sync(groups) {
      if (deps.schedule === undefined && deps.shared !== undefined) {
        sharedStop()
        sharedStop = groups.size > 0 ? deps.shared.start(groups as unknown as ReadonlyMap<string, CheckGroup<HttpEndpoint>>) : noop
        return
      }
      if (groups.size > 0 && deps.schedule === undefined) {
        if (!warned) {
          warned = true
          deps.logger.warn('active health checks do not run on this runtime (no timers outside requests); passive outlier detection only', { runtime: deps.runtimeName })
        }
        return
      }
      for (const [key, entry] of running) {
        if (groups.has(key)) continue
        entry.stop()
        running.delete(key)
      }
      for (const [key, group] of groups) {
        const entry = running.get(key)
        if (entry === undefined) start(key, group)
        else entry.group = group
      }
    },
    stop() {
      sharedStop()
      sharedStop = noop
      for (const entry of running.values()) entry.stop()
      running.clear()
    },
  }
}
