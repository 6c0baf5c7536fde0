/**
 * Active HTTP health checks (Runway `health_check`), merged global → upstream → route, run on
 * the adapter's timers (`runtime.schedule`). Workers have no timers outside a request: there
 * a Durable Object alarm runs this same probe (`runtime.sharedHealth`, src/upstream/shared-health.ts).
 * @module
 */
import type { BackendTarget } from '../balancer/pool.ts'
import type { HealthCheckConfig } from '../config/types.ts'

export interface ResolvedHealthCheck {
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

const DEFAULTS = { path: '/health', method: 'GET', interval: 10_000, timeout: 5_000, healthy_after: 2, unhealthy_after: 3, expected_status: ['200-399'] }

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

/** One probe round over `targets`; updates each target's verdict by the after-N rules. */
export async function probe(check: ResolvedHealthCheck, targets: readonly BackendTarget[]): Promise<void> {
  await Promise.all(
    targets.map(async (t) => {
      let ok = false
      try {
        const res = await fetch(t.origin + t.basePath + check.path, {
          method: check.method,
          signal: AbortSignal.timeout(check.timeout),
          redirect: 'manual',
        })
        ok = check.expected(res.status)
        await res.body?.cancel()
      } catch {
        ok = false
      }
      if (ok) {
        t.checkFailures = 0
        if (++t.checkSuccesses >= check.healthy_after) t.healthy = true
      } else {
        t.checkSuccesses = 0
        if (++t.checkFailures >= check.unhealthy_after) t.healthy = false
      }
    }),
  )
}
