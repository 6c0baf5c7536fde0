/**
 * `host:port`, `:port` and `[v6]:port` listener addresses (Runway syntax) → host and port.
 * @module
 */

export interface HostPort {
  host: string
  port: number
}

export function parseListenAddress(address: string): HostPort {
  const colon = address.lastIndexOf(':')
  if (colon === -1) throw new Error(`listener address "${address}" has no port`)
  let host = address.slice(0, colon)
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  const port = Number(address.slice(colon + 1))
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`listener address "${address}" has a bad port`)
  // ":8080" binds every interface, as in Go's net.Listen.
  return { host: host === '' ? '0.0.0.0' : host, port }
}

export function urlOf(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  return `http://${h}:${port}`
}

export function adminAddress(admin: { address?: string; port?: number }): string {
  return admin.address ?? `127.0.0.1:${admin.port ?? 8081}`
}
