/**
 * `routes[].websocket` as data (Runway's keys plus Portico's few, marked). The handler is
 * src/handlers/websocket.ts; what each key means per runtime is in docs/protocols.md.
 * @module
 */
/** Milliseconds (types.ts's Millis; not imported, types.ts re-exports this file). */
type Millis = number

export interface WebSocketConfig {
  enabled: boolean
  /** Runway: buffer sizes of its relay. Accepted; a byte tunnel keeps the runtime's socket buffers (docs/protocols.md). */
  read_buffer_size?: number
  write_buffer_size?: number
  /**
   * Runway's read deadline: the connection is closed after this long with no byte from either
   * side (a tunnel cannot tell a ping from a message). Omitted or 0: no idle limit.
   */
  read_timeout?: Millis
  /** Runway's write deadline: a write the receiving side has not drained after this long closes the connection. */
  write_timeout?: Millis
  /** Runway: pings sent by the gateway where it sees frames (relay mode); a tunnel passes the peers' own pings. */
  ping_interval?: Millis
  /** Runway: how long a pong may take after a ping (relay mode). */
  pong_timeout?: Millis
  /** (portico) the longest an upgraded connection may live; omitted or 0: no limit. */
  max_lifetime?: Millis
}
