/**
 * `routes[].websocket` (Runway's `WebSocketConfig` keys, plus Portico's `max_lifetime`): the
 * upgrade of a route's requests to a WebSocket tunnel (src/handlers/websocket.ts).
 * @module
 */
import { z } from 'zod'
import { duration, strict } from './schema-parts.ts'

const bytes = z.number().int().min(0)

export const websocket = strict({
  enabled: z.boolean().default(true),
  read_buffer_size: bytes.optional(),
  write_buffer_size: bytes.optional(),
  read_timeout: duration.optional(),
  write_timeout: duration.optional(),
  ping_interval: duration.optional(),
  pong_timeout: duration.optional(),
  max_lifetime: duration.optional(),
})
