/**
 * `Runtime.connect` on the server runtimes, over node:net (Node, Bun and Deno all have it), in
 * the shape of Workers' `connect()`: one socket API for the core on every runtime.
 * @module
 */
import { Socket } from 'node:net'
import { Duplex } from 'node:stream'
import type { Connect, RuntimeSocket } from '../../src/core/runtime.ts'

export const connectTcp: Connect = function connectTcp({ hostname, port }): RuntimeSocket {
  const socket = new Socket()
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  // Observed by whoever awaits `opened`; a socket nobody awaits must not crash the process.
  opened.catch(() => {})
  socket.connect(port, hostname)
  let web: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } | undefined
  // Built when first read: a health probe only opens and closes.
  const streams = () => (web ??= Duplex.toWeb(socket) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> })
  return {
    get readable() {
      return streams().readable
    },
    get writable() {
      return streams().writable
    },
    opened,
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve()
        socket.once('close', () => resolve())
        socket.destroy()
      }),
  }
}
