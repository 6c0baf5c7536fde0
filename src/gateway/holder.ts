/**
 * The live gateway version. Adapters read `holder.current` per request; a reload swaps it
 * atomically, so in-flight requests finish on the version they started with.
 * @module
 */
import type { Gateway } from './types.ts'

export interface GatewayHolder {
  current: Gateway
  /** When the current version was loaded (ms since epoch). */
  loadedAt: number
  /** Set on shutdown (after SIGTERM) or by POST /drain: /readyz answers 503 so traffic moves away. */
  draining: boolean
}

export function createHolder(gateway: Gateway): GatewayHolder {
  return { current: gateway, loadedAt: Date.now(), draining: false }
}
