/**
 * The listeners one server process has bound, as Bun and Deno collect them: each proxy listener
 * and the admin one register what stops them, so a bind failure (address in use) can close the
 * ones before it and a stop reaches all of them.
 * @module
 */
import type { ListenerConfig } from '../../src/config/types.ts'
import type { GatewayHolder } from '../../src/gateway/holder.ts'
import type { TlsVia } from './node-http/server.ts'
import type { BoundListeners } from './start.ts'
import type { ListenerTls } from './tls-config.ts'

export interface BoundListener {
  url: string
  /** Stops accepting and lets in-flight requests finish. */
  stop(): Promise<unknown>
  /** Cuts what is still open; absent: stopping already does (Deno.serve's shutdown). */
  force?(): unknown
}

export interface ListenerSet {
  readonly bound: BoundListeners
  /** `id` null: the admin listener. */
  add(id: string | null, listener: BoundListener): void
}

function createListenerSet(): ListenerSet {
  const stops: (() => Promise<unknown>)[] = []
  const forces: (() => unknown)[] = []
  const bound: BoundListeners = {
    listeners: {},
    admin: null,
    stop: () => Promise.all(stops.map((s) => s())),
    force: () => Promise.all(forces.map((f) => f())),
  }
  return {
    bound,
    add(id, l) {
      stops.push(l.stop)
      forces.push(l.force ?? l.stop)
      if (id === null) bound.admin = l.url
      else bound.listeners[id] = l.url
    },
  }
}

/**
 * Binds through `bind`; when one listener cannot bind (address in use), the ones bound before it
 * are closed before the error goes on, so a failed start leaves no socket open.
 */
export async function bindAll(bind: (set: ListenerSet) => Promise<void>): Promise<BoundListeners> {
  const set = createListenerSet()
  try {
    await bind(set)
  } catch (err) {
    await set.bound.force()
    throw err
  }
  return set.bound
}

/**
 * A listener on the node:http bridge (node-http/server.ts), for Bun and Deno where their native
 * server lacks what the listener asks for. Imported only then: node:http costs ~9 MB of resident
 * memory that a Bun.serve- or Deno.serve-only gateway never uses.
 */
export async function serveOnNodeHttp(l: ListenerConfig, tls: ListenerTls | null, holder: GatewayHolder, via: TlsVia): Promise<BoundListener> {
  const { serveNodeHttp } = await import('./node-http/server.ts')
  return serveNodeHttp(l, tls, () => holder.current.handle, via)
}
