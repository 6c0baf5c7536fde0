/**
 * The Runtime behind `createPortico`: it runs wherever `fetch` does, so it learns the host only
 * from `navigator.userAgent` (a Web API) and from what the host passes to the fetch handler.
 * @module
 */
import type { MetricsRegistry } from './core/metrics.ts'
import type { LimitStores } from './core/store.ts'
import { dropDecodedEncoding } from './proxy/decoded-encoding.ts'
import { createFetchForwarder } from './proxy/fetch-forwarder.ts'
import type { Forwarder, Logger, RequestInfo, Runtime, RuntimeName } from './core/runtime.ts'

/** navigator.userAgent: `Node.js/24`, `Bun/1.4.5`, `Deno/2.9.5`, `Cloudflare-Workers`. */
export function hostRuntime(userAgent = globalThis.navigator?.userAgent ?? ''): RuntimeName {
  if (userAgent.startsWith('Bun/')) return 'bun'
  if (userAgent.startsWith('Deno/')) return 'deno'
  if (userAgent.startsWith('Cloudflare-Workers')) return 'workerd'
  return 'node'
}

/**
 * Bun's fetch can leave bodies encoded (`decompress: false`). Node's, Deno's and workerd's decode
 * gzip/br whatever the request says yet keep Content-Encoding: a request with no Accept-Encoding
 * goes up with `identity`, and a decoded answer loses the two stale fields.
 */
function defaultForwarder(name: RuntimeName): Forwarder {
  if (name === 'bun') return createFetchForwarder({ init: { decompress: false } })
  const base = createFetchForwarder()
  return async function decodingFetchForward(req, info) {
    const ae = req.headers.get('accept-encoding')
    if (ae === null) req.headers.set('accept-encoding', 'identity')
    const res = await base(req, info)
    return ae === null || ae.trim() === 'identity' ? res : dropDecodedEncoding(res)
  }
}

export interface PorticoRuntimeOptions {
  logger: Logger
  metrics: MetricsRegistry
  stores: LimitStores
  forward?: Forwarder
}

export function createPorticoRuntime(o: PorticoRuntimeOptions): Runtime {
  const name = hostRuntime()
  const logger = o.logger
  return {
    name,
    forward: o.forward ?? defaultForwarder(name),
    // Bun's fetch Responses have mutable headers (see Runtime.mutableResponses).
    mutableResponses: o.forward === undefined && name === 'bun',
    logger,
    now: () => performance.now(),
    // No timers on Workers outside a request; elsewhere health checks run on an interval.
    schedule: name === 'workerd' ? undefined : schedule,
    metrics: o.metrics,
    stores: o.stores,
  }
}

function schedule(everyMs: number, fn: () => void): () => void {
  const timer = setInterval(fn, everyMs)
  // Node and Bun timers can be unref'd, so an embedded gateway never keeps its host alive.
  ;(timer as { unref?: () => void }).unref?.()
  return () => clearInterval(timer)
}

type Peer = {
  requestIP?: (r: Request) => { address: string } | null
  remoteAddr?: { hostname?: string }
  incoming?: { socket?: { remoteAddress?: string } }
}

/**
 * The peer address from what the host hands the handler: Bun's server (`requestIP`), Deno's
 * ServeHandlerInfo (`remoteAddr`), @hono/node-server's bindings (`incoming.socket`). On Workers
 * (an execution context with waitUntil, and none of those) the platform sets CF-Connecting-IP;
 * nowhere else is that header trusted, since any client can send it.
 */
export function requestInfoOf(request: Request, env: unknown, ctx: { waitUntil(p: Promise<unknown>): void } | undefined): RequestInfo {
  const peer = (typeof env === 'object' && env !== null ? env : {}) as Peer
  let remoteAddr = ''
  if (typeof peer.requestIP === 'function') remoteAddr = peer.requestIP(request)?.address ?? ''
  else if (typeof peer.remoteAddr?.hostname === 'string') remoteAddr = peer.remoteAddr.hostname
  else if (peer.incoming?.socket !== undefined) remoteAddr = peer.incoming.socket.remoteAddress ?? ''
  else if (typeof ctx?.waitUntil === 'function') remoteAddr = request.headers.get('cf-connecting-ip') ?? ''
  const info: RequestInfo = { remoteAddr }
  if (typeof ctx?.waitUntil === 'function') info.waitUntil = (p) => ctx.waitUntil(p)
  return info
}
