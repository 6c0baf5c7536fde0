/**
 * Which requests are WebSocket handshakes, and which configs have WebSocket routes. Pure
 * functions, shared by the handler and the adapters (the Bun and Deno ones put a listener on the
 * node:http bridge when a route needs the upgrade).
 * @module
 */
import type { Config } from '../config/types.ts'

/** True when `value` (a comma-separated field) holds `token`, case-insensitively (RFC 9110 §5.6.1). */
function hasToken(value: string | null, token: string): boolean {
  if (value === null) return false
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true
  return false
}

/**
 * An HTTP/1.1 WebSocket opening handshake (RFC 6455 §4.1): GET with `Upgrade: websocket` and
 * `Connection` naming `upgrade` (Firefox sends `keep-alive, Upgrade`: a token list, not a value).
 */
export function isWebSocketUpgrade(request: Request): boolean {
  const h = request.headers
  return request.method === 'GET' && hasToken(h.get('upgrade'), 'websocket') && hasToken(h.get('connection'), 'upgrade')
}

/** A route of this config accepts WebSocket handshakes. */
export function usesWebSocket(config: Config): boolean {
  return config.routes.some((r) => r.websocket?.enabled === true)
}
