/**
 * The WebSocket byte tunnel of the node:http bridge (docs/protocols.md): a TCP or TLS connection
 * to the upstream, the handshake written as received (minus hop-by-hop fields, which the core
 * already handled), and after the upstream's 101 the bytes relayed both ways with `pipe()`
 * (backpressure both ways, no re-framing: subprotocols, extensions and close frames pass as the
 * peers wrote them). Verified on Node, Bun and Deno (shared/reference/protocols.md §1.1).
 * @module
 */
import { connect as netConnect, isIP, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { connect as tlsConnect } from 'node:tls'
import { GatewayError } from '../../../src/core/errors.ts'
import { HeaderList } from '../../../src/core/headers.ts'
import type { Tunnel, TunnelEnd, Upgrade, UpgradeRequest } from '../../../src/core/runtime.ts'
import { readBody, readHead } from './upgrade-head.ts'

/** What a listener can cut at shutdown: every open tunnel registers here. */
export type TunnelSet = Set<{ cut(reason: TunnelEnd['closedBy']): void }>

/** After one side has closed, the other gets this long to flush what it holds, then is cut. */
const CLOSE_GRACE_MS = 1000

const unreachable = (why: string) => new GatewayError(502, 'upstream_unreachable', `upstream connection failed: ${why}`)

function connectTo(url: URL, timeoutMs: number): Promise<Socket> {
  const https = url.protocol === 'https:'
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port || (https ? 443 : 80))
  return new Promise((resolve, reject) => {
    const socket = https
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
      : netConnect({ host, port })
    const timer = timeoutMs > 0 ? setTimeout(() => fail(unreachable('connect timeout')), timeoutMs) : undefined
    const fail = (err: Error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(err instanceof GatewayError ? err : unreachable((err as NodeJS.ErrnoException).code ?? err.message))
    }
    socket.once('error', fail)
    socket.once(https ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer)
      socket.off('error', fail)
      socket.setNoDelay(true)
      resolve(socket)
    })
  })
}

/** The handshake as an HTTP/1.1 request head; a field whose value could split the head is dropped. */
function handshakeHead(url: URL, headers: HeaderList): string {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`
  if (!headers.has('host')) head += `host: ${url.host}\r\n`
  headers.forEach((value, name) => {
    if (!/[\r\n]/.test(value)) head += `${name}: ${value}\r\n`
  })
  return `${head}\r\n`
}

function responseHead(status: number, headers: HeaderList): string {
  let head = `HTTP/1.1 ${status} Switching Protocols\r\n`
  headers.forEach((value, name) => {
    if (!/[\r\n]/.test(value)) head += `${name}: ${value}\r\n`
  })
  return `${head}\r\n`
}

/** Rejects when `p` has not settled within `ms` (0: never). */
function within<T>(p: Promise<T>, ms: number, onLate: () => void): Promise<T> {
  if (ms <= 0) return p
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate()
      reject(new GatewayError(504, 'upstream_timeout', 'upstream did not answer the WebSocket handshake in time'))
    }, ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

/**
 * The Upgrade of one client connection. `early`: bytes the client sent after its handshake (the
 * `head` of node:http's 'upgrade' event), sent on once the upstream has switched.
 */
export function createTunnelUpgrade(client: Duplex, early: Buffer, tunnels: TunnelSet, now: () => number): Upgrade {
  return async function tunnelUpgrade(req: UpgradeRequest): Promise<Response | Tunnel> {
    client.pause()
    const url = new URL(req.url)
    const started = now()
    const upstream = await connectTo(url, req.handshakeTimeoutMs)
    // The client leaving during the handshake ends the upstream attempt too.
    const clientGone = () => upstream.destroy()
    client.once('close', clientGone)
    try {
      upstream.write(handshakeHead(url, req.headers))
      const left = req.handshakeTimeoutMs > 0 ? Math.max(1, req.handshakeTimeoutMs - (now() - started)) : 0
      const head = await within(readHead(upstream), left, () => upstream.destroy())
      if (head.status !== 101) {
        const body = await within(readBody(upstream, head), left, () => upstream.destroy())
        upstream.destroy()
        // The core strips the hop-by-hop fields and finishes the head as for any upstream answer.
        return new Response(body.byteLength === 0 && nullBody(head.status) ? null : (body as Uint8Array<ArrayBuffer>), { status: head.status, headers: head.fields })
      }
      if (client.destroyed) throw new GatewayError(499, 'client_closed', 'client closed the connection during the handshake')
      const out = new HeaderList()
      for (const [name, value] of head.fields) out.append(name, value)
      req.head.head({ status: 101, headers: out })
      client.write(responseHead(101, out))
      if (head.rest.length > 0) client.write(head.rest)
      if (early.length > 0) upstream.write(early)
      return { kind: 'tunnel', closed: relay(client, upstream, req, tunnels, now, head.rest.length, early.length) }
    } catch (err) {
      upstream.destroy()
      throw err
    } finally {
      client.off('close', clientGone)
    }
  }
}

function nullBody(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200)
}

/** Relays bytes both ways until both sides are closed; settles with what passed. */
function relay(client: Duplex, upstream: Socket, req: UpgradeRequest, tunnels: TunnelSet, now: () => number, sent0: number, received0: number): Promise<TunnelEnd> {
  const openedAt = now()
  let sent = sent0
  let received = received0
  let closedBy: TunnelEnd['closedBy'] | null = null
  let lifetime: ReturnType<typeof setTimeout> | undefined
  const entry = {
    cut(reason: TunnelEnd['closedBy']) {
      closedBy ??= reason
      client.destroy()
      upstream.destroy()
    },
  }
  tunnels.add(entry)
  upstream.on('data', (c: Buffer) => (sent += c.length))
  client.on('data', (c: Buffer) => (received += c.length))
  // Errors end in 'close'; without a listener they would throw.
  client.on('error', () => client.destroy())
  upstream.on('error', () => upstream.destroy())
  client.pipe(upstream)
  upstream.pipe(client)
  if (req.idleTimeoutMs > 0) {
    // A socket's timeout counts reads and writes, so the client side alone sees traffic both ways.
    const s = client as Socket
    if (typeof s.setTimeout === 'function') {
      s.setTimeout(req.idleTimeoutMs)
      s.on('timeout', () => entry.cut('idle'))
    }
  }
  if (req.maxLifetimeMs > 0) lifetime = setTimeout(() => entry.cut('lifetime'), req.maxLifetimeMs)
  if (req.writeTimeoutMs > 0) {
    stallGuard(client, upstream, req.writeTimeoutMs, () => entry.cut('write_timeout'))
    stallGuard(upstream, client, req.writeTimeoutMs, () => entry.cut('write_timeout'))
  }
  const side = (self: Duplex, other: Duplex, name: 'client' | 'upstream') =>
    new Promise<void>((resolve) => {
      self.once('end', () => (closedBy ??= name))
      self.once('close', () => {
        closedBy ??= name
        // `pipe` ends the other side on a clean end; a drop (reset, destroy) needs it here.
        if (!other.destroyed) {
          other.end()
          setTimeout(() => other.destroy(), CLOSE_GRACE_MS).unref?.()
        }
        resolve()
      })
    })
  return Promise.all([side(client, upstream, 'client'), side(upstream, client, 'upstream')]).then(() => {
    clearTimeout(lifetime)
    tunnels.delete(entry)
    return { sent, received, closedBy: closedBy ?? 'client', openedAt }
  })
}

/** `pipe` pauses `source` while `dest` is full: a pause longer than `ms` is a stalled peer. */
function stallGuard(source: Duplex, dest: Duplex, ms: number, onStall: () => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  source.on('pause', () => {
    clearTimeout(timer)
    timer = setTimeout(onStall, ms)
  })
  dest.on('drain', () => clearTimeout(timer))
  source.once('close', () => clearTimeout(timer))
}
