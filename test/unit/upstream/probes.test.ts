import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { connectTcp } from '../../../adapters/server/tcp-connect.ts'
import { createHttpEndpoint } from '../../../src/upstream/endpoint.ts'
import { resolveHealthCheck } from '../../../src/upstream/health.ts'
import { createProbe, createTcpProbe, tcpAddressOf } from '../../../src/upstream/probes.ts'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

/** A real TCP server on 127.0.0.1 counting the connections it accepted. */
async function listening(): Promise<{ port: number; accepted: () => number }> {
  let n = 0
  const server = createServer((socket) => {
    n++
    socket.destroy()
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as AddressInfo).port, accepted: () => n }
}

/** A port that refuses connections: bound, then closed. */
async function refusing(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}

const endpoint = (port: number) => createHttpEndpoint({ url: `http://127.0.0.1:${port}`, weight: 1 })

describe('TCP probe (health_check.type: tcp)', () => {
  test('healthy when the connection opens, and it opened one', async () => {
    const up = await listening()
    const probe = createTcpProbe(connectTcp)
    expect(await probe(endpoint(up.port), AbortSignal.timeout(2000))).toBe(true)
    await expect.poll(up.accepted, { timeout: 2000 }).toBe(1)
  })

  test('a refused connection rejects (the round counts it as a failure)', async () => {
    const probe = createTcpProbe(connectTcp)
    await expect(probe(endpoint(await refusing()), AbortSignal.timeout(2000))).rejects.toThrow(/ECONNREFUSED/)
  })

  test('an aborted signal (the timeout) rejects without waiting for the connection', async () => {
    const up = await listening()
    const ac = new AbortController()
    ac.abort(new Error('probe timeout'))
    await expect(createTcpProbe(connectTcp)(endpoint(up.port), ac.signal)).rejects.toThrow('probe timeout')
  })

  test('createProbe picks by type; tcp without a runtime connect is refused with the key named', () => {
    const tcp = resolveHealthCheck({ type: 'tcp' })!
    expect(createProbe(tcp, { fetch, connect: connectTcp }).name).toBe('tcpProbe')
    expect(createProbe(resolveHealthCheck({ path: '/h' })!, { fetch }).name).toBe('httpProbe')
    expect(() => createProbe(tcp, { fetch })).toThrow(/health_check\.type: tcp/)
  })

  test('the address is the URL host and port, the scheme default when absent, IPv6 unbracketed', () => {
    expect(tcpAddressOf('http://10.0.0.1:8080')).toEqual({ hostname: '10.0.0.1', port: 8080 })
    expect(tcpAddressOf('https://api.example')).toEqual({ hostname: 'api.example', port: 443 })
    expect(tcpAddressOf('http://[::1]')).toEqual({ hostname: '::1', port: 80 })
  })
})
