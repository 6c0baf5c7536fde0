/**
 * Deno listeners with SNI (`certificates`), client certificates or a header deadline over TLS,
 * on Deno's node:https. Imported only when a listener needs it, so a Deno.serve-only gateway
 * does not carry node:https and @hono/node-server.
 * @module
 */
import { createServer as createHttpsServer } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { getRequestListener, type HttpBindings } from '@hono/node-server'
import type { ListenerConfig } from '../../src/config/types.ts'
import type { GatewayHolder } from '../../src/gateway/holder.ts'
import { listenAt, NATIVE_GLOBALS, nodeHttpTimeouts } from '../server/node-http-listener.ts'
import { type ListenerTls, admitsPeer, clientCertOf, httpsUrl, nodeTlsOptions } from '../server/tls-config.ts'

/**
 * node:https has what Deno.serve lacks (SNICallback, TLSSocket.getPeerCertificate). Deno.serve
 * takes one cert/key pair only: its SNI resolver is a private symbol of Deno.listenTls that
 * Deno.serve does not pass on (denoland/deno#23233), and it can neither request nor expose a
 * client certificate (denoland/deno#26825). Slower than Deno.serve: taken only when configured.
 */
export async function serveNodeTls(l: ListenerConfig, tls: ListenerTls, holder: GatewayHolder): Promise<{ url: string; stop: () => Promise<void> }> {
  const { clientAuth } = tls
  const server = createHttpsServer(
    {
      ...nodeHttpTimeouts(l),
      ...nodeTlsOptions(tls),
    },
    getRequestListener(function porticoDenoTls(request, env) {
      const socket = (env as HttpBindings).incoming.socket as TLSSocket
      return holder.current.fetch(request, {
        remoteAddr: socket.remoteAddress ?? '',
        clientCert: clientAuth === 'none' ? undefined : clientCertOf(socket, clientAuth),
      })
    }, NATIVE_GLOBALS),
  )
  if (clientAuth === 'verify') {
    // Prepended: node:http may parse a request that arrived with the handshake as soon as
    // its own listener runs, so the connection is refused before that.
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      if (!admitsPeer(socket, clientAuth)) socket.destroy()
    })
  }
  const url = httpsUrl(await listenAt(server, l.address))
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeIdleConnections()
    })
  return { url, stop }
}
