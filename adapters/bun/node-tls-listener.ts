/**
 * Bun listeners that ask for a client certificate, or set a header deadline over TLS, on
 * node:tls + node:http. Imported only when a listener needs it: node:http and
 * @hono/node-server cost ~9 MB of resident memory that a Bun.serve-only gateway never uses.
 * @module
 */
import { createServer as createHttpServer } from 'node:http'
import { type TLSSocket, createServer as createTlsServer } from 'node:tls'
import { getRequestListener, type HttpBindings } from '@hono/node-server'
import type { ListenerConfig } from '../../src/config/types.ts'
import type { GatewayHolder } from '../../src/gateway/holder.ts'
import { listenAt, NATIVE_GLOBALS, nodeHttpTimeouts } from '../server/node-http-listener.ts'
import { type ListenerTls, admitsPeer, clientCertOf, httpsUrl, nodeTlsOptions } from '../server/tls-config.ts'

/**
 * Bun.serve can enforce `require` at the handshake but has no API to read the peer certificate
 * (oven-sh/bun#14097), and Bun's node:https hands the handler a plain Socket without
 * getPeerCertificate (tried on 1.4.5). node:tls gives a TLSSocket that Bun's node:http server
 * accepts as a connection. Slower than Bun.serve: taken only when configured.
 */
export async function serveNodeTls(l: ListenerConfig, tls: ListenerTls, holder: GatewayHolder): Promise<{ url: string; stop: () => Promise<void> }> {
  const { clientAuth } = tls
  const http = createHttpServer(
    nodeHttpTimeouts(l),
    getRequestListener(function porticoBunMtls(request, env) {
      const socket = (env as HttpBindings).incoming.socket as TLSSocket
      return holder.current.fetch(request, { remoteAddr: socket.remoteAddress ?? '', clientCert: clientCertOf(socket, clientAuth) })
    }, NATIVE_GLOBALS),
  )
  const server = createTlsServer(nodeTlsOptions(tls), function onSecureConnection(socket) {
    if (!admitsPeer(socket, clientAuth)) return void socket.destroy()
    http.emit('connection', socket)
  })
  const url = httpsUrl(await listenAt(server, l.address))
  const stop = () =>
    new Promise<void>((resolve) => {
      http.closeIdleConnections()
      server.close(() => resolve())
    })
  return { url, stop }
}
