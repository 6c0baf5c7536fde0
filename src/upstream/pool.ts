/**
 * A pool of endpoints as a handler uses it: a balancer over live endpoints shared by every
 * route of the same owner (so least_conn sees all their traffic), passive outlier detection,
 * and skipping of endpoints that cannot take traffic. The caller computes the balancing key
 * (client IP, a header, a cookie or the path for HTTP), so the pool knows no protocol.
 * Discovery changes the members through `rebuild`; live state stays on the endpoints.
 * @module
 */
import type { ConsistentHashConfig, LoadBalancerName, OutlierDetectionConfig } from '../config/types.ts'
import { createBalancer } from '../balancer/create.ts'
import type { Balancer } from '../balancer/types.ts'
import { type Endpoint, isAvailable } from './endpoint.ts'
import { createOutlierDetector, type OutlierDetector } from './outlier.ts'

export interface BackendPool<E extends Endpoint = Endpoint> {
  readonly endpoints: readonly E[]
  /** Passive outlier detection, when configured. */
  readonly outlier: OutlierDetector | null
  /**
   * The balancer's choice if it can take traffic and is not in `exclude`, else the next one in
   * list order that can (retries go to another endpoint where one is available); null if none.
   */
  pick(key: string, now: number, exclude?: readonly E[]): E | null
}

/** A pool the registry can refill (discovery, reload) without its users noticing. */
export interface MutablePool<E extends Endpoint = Endpoint> extends BackendPool<E> {
  rebuild(endpoints: readonly E[]): void
}

export interface PoolSettings {
  load_balancer?: LoadBalancerName
  consistent_hash?: ConsistentHashConfig
  outlier_detection?: OutlierDetectionConfig
}

export function createPool<E extends Endpoint>(endpoints: readonly E[], settings: PoolSettings = {}): MutablePool<E> {
  const name = settings.load_balancer ?? 'round_robin'
  let members: readonly E[] = []
  // An empty pool (discovery found nothing yet) has no balancer and picks nothing.
  let balancer: Balancer<E> | null = null
  const pool: MutablePool<E> = {
    endpoints: members,
    outlier: null,
    rebuild(next) {
      members = next
      balancer = next.length === 0 ? null : createBalancer(name, next, settings.consistent_hash?.replicas)
      // max_ejection_percent counts over the current members.
      const outlier = settings.outlier_detection ? createOutlierDetector(settings.outlier_detection, next) : null
      Object.assign(pool, { endpoints: next, outlier })
    },
    pick(key, now, exclude) {
      if (balancer === null) return null
      const first = balancer.pick({ key })
      if (exclude === undefined && isAvailable(first, now)) return first
      // Skip in list order from the chosen one: keyed requests move to the same neighbour
      // every time, so affinity survives as well as it can.
      const at = members.indexOf(first)
      for (let k = 0; k < members.length; k++) {
        const e = members[(at + k) % members.length]
        if ((exclude === undefined || !exclude.includes(e)) && isAvailable(e, now)) return e
      }
      return null
    },
  }
  pool.rebuild(endpoints)
  return pool
}
