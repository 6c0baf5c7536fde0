/** Builds the configured balancer (`load_balancer` key) over a route's or upstream's backends. */
import type { LoadBalancerName } from '../config/types.ts'
import { createConsistentHash, createIpHash, createMaglev } from './hashing.ts'
import { createLeastConn, createLeastResponseTime, createP2C, createRandom, createSmoothRoundRobin } from './simple.ts'
import type { Balancer, BackendState } from './types.ts'

/** The balancer names of the config's `load_balancer` key. */
export type BalancerName = LoadBalancerName

export function createBalancer<T extends BackendState>(name: BalancerName, items: readonly T[], replicas?: number): Balancer<T> {
  if (items.length === 0) throw new Error('a balancer needs at least one backend')
  switch (name) {
    case 'random':
      return createRandom(items)
    case 'least_conn':
      return createLeastConn(items)
    case 'least_response_time':
      return createLeastResponseTime(items)
    case 'p2c':
      return createP2C(items)
    case 'ip_hash':
      return createIpHash(items)
    case 'consistent_hash':
      return createConsistentHash(items, replicas)
    case 'maglev':
      return createMaglev(items)
    default:
      return createSmoothRoundRobin(items)
  }
}
