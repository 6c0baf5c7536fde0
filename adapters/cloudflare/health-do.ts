/**
 * Active health checks on Workers: one Durable Object per check plan (a config's check groups)
 * runs the probe rounds from its alarm — Workers have no timers outside a request, an alarm is
 * the one timer the platform keeps for us. Each round is the server runtimes' own `probe` over
 * targets rebuilt by the same resolver, so path, method, timeout, expected_status and the
 * healthy_after/unhealthy_after streaks mean exactly what they mean on Node, Bun and Deno.
 * Isolates read the verdicts over RPC (`verdicts(plan)`, at most once per TTL each, see
 * health-client.ts). When no isolate has read for IDLE_STOP_MS (no traffic anywhere) the alarm
 * is not re-armed, so an unused config costs nothing; the next read starts it again.
 * @module
 */
import { connect } from 'cloudflare:sockets'
import { DurableObject } from 'cloudflare:workers'
import { probeRound } from '../../src/upstream/health.ts'
import { createProbe } from '../../src/upstream/probes.ts'
import { groupOf, type HealthCheckGroup, type HealthCheckPlan, type HealthVerdicts, verdictsOf } from '../../src/upstream/shared-health.ts'

interface Group extends HealthCheckGroup {
  id: string
  /** Wall-clock ms of the next round (0: at once). */
  nextDue: number
}

/** healthy, successes, failures per target — streaks clamped at their threshold. */
type TargetState = [boolean, number, number]

interface Saved {
  plan: string
  state: Record<string, TargetState[]>
}

export const IDLE_STOP_MS = 60_000

/** Exported by the worker and declared in wrangler.toml (binding PORTICO_HEALTH). */
export class PorticoHealthObject extends DurableObject {
  private plan: string | null = null
  private groups: Group[] = []
  private saved = ''
  private armed = false
  private lastRead = Date.now()
  private loaded: Promise<void> | null = null

  // After an eviction the alarm wakes a fresh instance: the plan and streaks come from storage.
  private load(): Promise<void> {
    this.loaded ??= this.ctx.storage.get<Saved>('state').then((s) => {
      if (s !== undefined && this.plan === null) this.adopt(s.plan, JSON.parse(s.plan) as HealthCheckPlan[], s.state)
    })
    return this.loaded
  }

  private adopt(json: string, plans: HealthCheckPlan[], state?: Saved['state']): void {
    this.plan = json
    this.groups = plans.map((p) => {
      const g: Group = { id: p.id, ...groupOf(p), nextDue: 0 }
      const s = state?.[p.id]
      if (s?.length === g.endpoints.length) {
        s.forEach(([healthy, ok, bad], i) => {
          Object.assign(g.endpoints[i], { healthy, checkSuccesses: ok, checkFailures: bad })
        })
      }
      return g
    })
  }

  /** Clamped streaks make the steady state one unchanging record: no storage write per round. */
  private async save(): Promise<void> {
    const state: Saved['state'] = {}
    for (const g of this.groups) {
      state[g.id] = g.endpoints.map((t) => [t.healthy, Math.min(t.checkSuccesses, g.check.healthy_after), Math.min(t.checkFailures, g.check.unhealthy_after)])
    }
    const json = JSON.stringify(state)
    if (json === this.saved) return
    this.saved = json
    await this.ctx.storage.put<Saved>('state', { plan: this.plan!, state })
  }

  async verdicts(plan: HealthCheckPlan[]): Promise<HealthVerdicts> {
    await this.load()
    this.lastRead = Date.now()
    const json = JSON.stringify(plan)
    if (json !== this.plan) {
      this.adopt(json, plan)
      await this.save()
    }
    if (!this.armed) {
      this.armed = true
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now())
    }
    return verdictsOf(this.groups)
  }

  /** One round for every group that is due; rounds of a group never overlap (alarms run one at a time). */
  async alarm(): Promise<void> {
    await this.load()
    const now = Date.now()
    if (this.groups.length === 0 || now - this.lastRead > IDLE_STOP_MS) {
      this.armed = false
      return
    }
    this.armed = true
    const due = this.groups.filter((g) => g.nextDue <= now)
    for (const g of due) g.nextDue = now + g.check.interval
    await Promise.all(due.map((g) => probeRound(g.check, g.endpoints, createProbe(g.check, { fetch, connect }))))
    await this.save()
    await this.ctx.storage.setAlarm(Math.min(...this.groups.map((g) => g.nextDue)))
  }
}

export type HealthStub = Pick<PorticoHealthObject, 'verdicts'>
