/**
 * The health probes, one per `health_check.type`, each a `HealthProbe` (health.ts): HTTP through
 * the runtime's fetch, TCP through the runtime's `connect` — the same port L4 pools will use.
 * @module
 */
import type { Connect } from '../core/runtime.ts'
import type { HttpEndpoint } from './endpoint.ts'
import type { HealthProbe, ResolvedHealthCheck } from './health.ts'

/** What probes reach the network through. */
export interface ProbeDeps {
  fetch: typeof fetch
  connect?: Connect
}

/** An HTTP probe: `method path` on the endpoint's base URL through `fetch`, judged by `expected`. */
export function createHttpProbe(check: ResolvedHealthCheck, fetcher: typeof fetch): HealthProbe<HttpEndpoint> {
  return async function httpProbe(e, signal) {
    const res = await fetcher(e.origin + e.basePath + check.path, { method: check.method, signal, redirect: 'manual' })
    await res.body?.cancel()
    return check.expected(res.status)
  }
}

/** Where a TCP probe connects: the URL's host and port (the scheme's default when absent). */
export function tcpAddressOf(origin: string): { hostname: string; port: number } {
  const url = new URL(origin)
  // URL keeps IPv6 literals bracketed; socket APIs take the bare address.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  return { hostname, port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port) }
}

/**
 * A TCP probe (Envoy's tcp_health_check without payload, Kong's `type: tcp`): healthy when a
 * connection opens before the timeout; it is closed at once, nothing is sent.
 */
export function createTcpProbe(connect: Connect): HealthProbe<HttpEndpoint> {
  return async function tcpProbe(e, signal) {
    const socket = connect(tcpAddressOf(e.origin))
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason)
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
    try {
      await Promise.race([socket.opened, aborted])
      return true
    } finally {
      socket.close().catch(() => {})
    }
  }
}

/** The probe `check.type` asks for. */
export function createProbe(check: ResolvedHealthCheck, deps: ProbeDeps): HealthProbe<HttpEndpoint> {
  if (check.type === 'http') return createHttpProbe(check, deps.fetch)
  // Every adapter supplies connect; a custom embedding runtime may not.
  if (deps.connect === undefined) throw new Error('health_check.type: tcp needs a runtime with TCP sockets (Runtime.connect)')
  return createTcpProbe(deps.connect)
}
