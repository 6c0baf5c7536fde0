/**
 * TLS listeners on every server runtime, through the real CLI: SNI picks the certificate for
 * the requested name; `client_auth: require` refuses clients without a certificate signed by
 * `client_ca_file` at the handshake (the upstream is never reached); a verified certificate's
 * subject and fingerprint reach the upstream and forged copies never do; `verify` lets
 * anonymous clients through; `request` never trusts what it gets; plain listeners are
 * unaffected. Certificates are made with openssl in a temporary directory for each run.
 */
import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http'
import { request } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { subjectOf } from '../../adapters/server/distinguished-name.ts'
import { type ReadyLine, root, startPortico } from '../conformance/global-setup.ts'

const RUNTIMES = ['node', 'bun', 'deno'] as const
type Runtime = (typeof RUNTIMES)[number]

/**
 * Features a runtime cannot offer, with the reason (the test is then skipped, never silently:
 * the reason is in its name). Empty: Bun and Deno run client-certificate listeners on their
 * node:tls/node:https layers where their native servers fall short (docs/tls.md).
 */
const UNSUPPORTED: Record<Runtime, Partial<Record<'sni' | 'mtls', string>>> = { node: {}, bun: {}, deno: {} }

const CLIENT_SUBJECT = 'O=Acme,CN=client-one'

let dir: string
let upstream: Server
let upstreamUrl: string
/** What the upstream received, by the x-test-id the test sent. */
const seen = new Map<string, IncomingHttpHeaders>()
let clientFingerprint: string

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

function makeCertificates(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Portico Test CA')
  const sign = (name: string, subj: string, ext: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj)
    writeFileSync(join(dir, `${name}.ext`), ext)
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`)
  }
  sign('a', '/CN=a.test', 'subjectAltName=DNS:a.test\nextendedKeyUsage=serverAuth\n')
  sign('b', '/CN=b.test', 'subjectAltName=DNS:b.test,DNS:*.b.test\nextendedKeyUsage=serverAuth\n')
  sign('client', '/CN=client-one/O=Acme', 'extendedKeyUsage=clientAuth\n')
  // Same subject as the real client, but self-signed: the subject alone must never pass.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '2', '-subj', '/CN=client-one/O=Acme', '-addext', 'extendedKeyUsage=clientAuth')
}

function tlsBlock(clientAuth: string, extra: Record<string, unknown> = {}) {
  return { enabled: true, cert_file: 'a.crt', key_file: 'a.key', client_ca_file: 'ca.crt', client_auth: clientAuth, ...extra }
}

/** Relative file names: they resolve against the config file's directory on every runtime. */
function writeConfig(name: string, listeners: unknown[]): string {
  const config = {
    listeners,
    admin: { enabled: false },
    logging: { level: 'info', access_log: true },
    routes: [
      { id: 'echo', path: '/echo', path_prefix: true, echo: true },
      { id: 'up', path: '/up', path_prefix: true, backends: [{ url: upstreamUrl }] },
    ],
  }
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, JSON.stringify(config, null, 2)) // JSON is YAML
  return file
}

interface Reply {
  status: number
  body: string
  /** CN of the certificate the server presented. */
  served: string | undefined
}

interface Call {
  path?: string
  /** SNI; '' sends none. */
  servername?: string
  client?: 'client' | 'rogue'
  headers?: Record<string, string>
}

function call(base: string, c: Call = {}): Promise<Reply> {
  const url = new URL(c.path ?? '/echo', base)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'GET',
        agent: false, // a fresh handshake for every call
        servername: c.servername ?? 'a.test',
        ca: readFileSync(join(dir, 'ca.crt')),
        // The chain is checked against the test CA; which certificate was served is asserted by CN.
        checkServerIdentity: () => undefined,
        ...(c.client === undefined ? {} : { cert: readFileSync(join(dir, `${c.client}.crt`)), key: readFileSync(join(dir, `${c.client}.key`)) }),
        headers: c.headers,
      },
      (res) => {
        const served = (res.socket as TLSSocket).getPeerCertificate().subject?.CN
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          body += d
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, served: Array.isArray(served) ? served[0] : served }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end()
  })
}

let ids = 0
const testId = () => `t${++ids}-${Date.now()}`

/** Calls /up with a forged identity and returns what the upstream got (undefined: not reached). */
async function viaUpstream(base: string, c: Call = {}): Promise<{ reply: Reply; got: IncomingHttpHeaders | undefined }> {
  const id = testId()
  const reply = await call(base, {
    ...c,
    path: '/up/whoami',
    headers: { 'x-test-id': id, 'x-client-cert-subject': 'CN=admin', 'x-client-cert-fingerprint': 'AA:BB' },
  })
  return { reply, got: seen.get(id) }
}

/** A refused handshake rejects the call, and the request never reaches the upstream. */
async function expectRefused(base: string, c: Call): Promise<void> {
  const id = testId()
  await expect(call(base, { ...c, path: '/up/refused', headers: { 'x-test-id': id } })).rejects.toThrow()
  await new Promise((r) => setTimeout(r, 100))
  expect(seen.has(id)).toBe(false)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-tls-'))
  makeCertificates()
  clientFingerprint = new X509Certificate(readFileSync(join(dir, 'client.crt'))).fingerprint256
  upstream = createServer((req, res) => {
    const id = req.headers['x-test-id']
    if (typeof id === 'string') seen.set(id, req.headers)
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(req.headers))
  })
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((r) => upstream?.close(r))
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

it('formats certificate subjects as RFC 4514 strings, the same on every runtime', () => {
  expect(subjectOf(new X509Certificate(readFileSync(join(dir, 'client.crt'))).raw)).toBe(CLIENT_SUBJECT)
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'dn.key', '-out', 'dn.crt', '-days', '1', '-utf8', '-multivalue-rdn', '-subj', '/C=DE/O=Acme, Inc./OU=a+OU=b/CN=Zoë #1 /emailAddress=a@b')
  // Reverse order, `,` and a trailing space escaped, multi-valued RDN joined by `+`, an
  // attribute without an RFC 4514 short name as OID=#hex of its DER value.
  expect(subjectOf(new X509Certificate(readFileSync(join(dir, 'dn.crt'))).raw)).toBe(
    '1.2.840.113549.1.9.1=#1603614062,CN=Zoë #1\\ ,OU=a+OU=b,O=Acme\\, Inc.,C=DE',
  )
})

for (const runtime of RUNTIMES) {
  describe(`on ${runtime}`, () => {
    let ready: ReadyLine
    let stop: (() => Promise<unknown>) | undefined
    let logFile: string
    const url = (id: string) => ready.listeners[id]!
    const unsupported = UNSUPPORTED[runtime]
    const sniIt = unsupported.sni === undefined ? it : it.skip
    const mtlsIt = unsupported.mtls === undefined ? it : it.skip
    const sniWhy = unsupported.sni === undefined ? '' : ` (skipped on ${runtime}: ${unsupported.sni})`
    const mtlsWhy = unsupported.mtls === undefined ? '' : ` (skipped on ${runtime}: ${unsupported.mtls})`

    beforeAll(async () => {
      const sni = { certificates: [{ cert_file: 'b.crt', key_file: 'b.key' }] } // names from the SAN: b.test, *.b.test
      const file = writeConfig(runtime, [
        { id: 'require', address: '127.0.0.1:0', tls: tlsBlock('require', sni) },
        { id: 'verify', address: '127.0.0.1:0', tls: tlsBlock('verify', sni) },
        { id: 'request', address: '127.0.0.1:0', tls: tlsBlock('request') },
        {
          id: 'sni',
          address: '127.0.0.1:0',
          tls: { enabled: true, cert_file: 'a.crt', key_file: 'a.key', certificates: [{ cert_file: 'b.crt', key_file: 'b.key', server_names: ['b.test', '*.b.test'] }] },
        },
        { id: 'single', address: '127.0.0.1:0', tls: { enabled: true, cert_file: 'a.crt', key_file: 'a.key' } },
        { id: 'plain', address: '127.0.0.1:0' },
      ])
      logFile = join(root, '.test-out', `tls-${runtime}.log`)
      const gw = startPortico(runtime, file, {}, logFile)
      stop = gw.stop
      ready = await gw.ready
    })
    afterAll(async () => {
      await stop?.()
    })

    it('prints https:// URLs for TLS listeners and http:// for plain ones', () => {
      for (const id of ['require', 'verify', 'request', 'sni', 'single']) expect(url(id)).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      expect(url('plain')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    })

    it('a listener with one certificate serves it, the echo route answers over TLS', async () => {
      const r = await call(url('single'))
      expect(r.served).toBe('a.test')
      expect(r.status).toBe(200)
      expect(JSON.parse(r.body).path).toBe('/echo')
    })

    sniIt(`SNI picks the certificate for the requested name, one-label wildcards included; others get the fallback${sniWhy}`, async () => {
      for (const id of ['sni', 'require']) {
        const client = id === 'require' ? 'client' : undefined
        expect((await call(url(id), { servername: 'a.test', client })).served).toBe('a.test')
        expect((await call(url(id), { servername: 'b.test', client })).served).toBe('b.test')
        expect((await call(url(id), { servername: 'api.b.test', client })).served).toBe('b.test')
        // RFC 4343: DNS names compare case-insensitively.
        expect((await call(url(id), { servername: 'API.B.Test', client })).served).toBe('b.test')
        // RFC 6125 §6.4.3: `*.b.test` covers one label only.
        expect((await call(url(id), { servername: 'x.api.b.test', client })).served).toBe('a.test')
        expect((await call(url(id), { servername: 'unknown.test', client })).served).toBe('a.test')
        expect((await call(url(id), { servername: '', client })).served).toBe('a.test')
      }
    })

    mtlsIt(`require: a client without a certificate is refused at the handshake and never reaches the upstream${mtlsWhy}`, async () => {
      await expectRefused(url('require'), {})
      await expectRefused(url('require'), { servername: 'b.test' })
      await expectRefused(url('require'), { servername: '' })
    })

    mtlsIt(`require: a self-signed certificate with the right subject is refused, every time${mtlsWhy}`, async () => {
      // Bun 1.3 let such a certificate through now and then (oven-sh/bun#27985): try it repeatedly.
      for (let i = 0; i < 10; i++) await expectRefused(url('require'), { client: 'rogue', servername: i % 2 ? 'b.test' : 'a.test' })
    })

    mtlsIt(`require: a CA-signed certificate passes; the upstream gets its subject and fingerprint, never the forged ones${mtlsWhy}`, async () => {
      for (const servername of ['a.test', 'b.test']) {
        const { reply, got } = await viaUpstream(url('require'), { client: 'client', servername })
        expect(reply.status).toBe(200)
        expect(got?.['x-client-cert-subject']).toBe(CLIENT_SUBJECT)
        expect(got?.['x-client-cert-fingerprint']).toBe(clientFingerprint)
        expect(got?.['x-forwarded-proto']).toBe('https')
      }
    })

    mtlsIt(`the access log names a verified client by its certificate (client_id cert:<subject>)${mtlsWhy}`, async () => {
      const { reply } = await viaUpstream(url('require'), { client: 'client' })
      expect(reply.status).toBe(200)
      let log = ''
      for (let i = 0; i < 50 && !log.includes(`"client_id":"cert:${CLIENT_SUBJECT}"`); i++) {
        await new Promise((r) => setTimeout(r, 50))
        log = readFileSync(logFile, 'utf8')
      }
      expect(log).toContain(`"client_id":"cert:${CLIENT_SUBJECT}"`)
    })

    mtlsIt(`verify: an anonymous client passes, and no certificate fields reach the upstream${mtlsWhy}`, async () => {
      const { reply, got } = await viaUpstream(url('verify'), {})
      expect(reply.status).toBe(200)
      expect(got).toBeDefined()
      expect(got?.['x-client-cert-subject']).toBeUndefined()
      expect(got?.['x-client-cert-fingerprint']).toBeUndefined()
    })

    mtlsIt(`verify: a CA-signed certificate is verified and forwarded; one that does not verify is refused${mtlsWhy}`, async () => {
      const { got } = await viaUpstream(url('verify'), { client: 'client' })
      expect(got?.['x-client-cert-subject']).toBe(CLIENT_SUBJECT)
      expect(got?.['x-client-cert-fingerprint']).toBe(clientFingerprint)
      for (let i = 0; i < 5; i++) await expectRefused(url('verify'), { client: 'rogue' })
    })

    mtlsIt(`request: a certificate is asked for but never trusted, so no certificate fields reach the upstream${mtlsWhy}`, async () => {
      for (const client of ['client', 'rogue', undefined] as const) {
        const { reply, got } = await viaUpstream(url('request'), { client })
        expect(reply.status).toBe(200)
        expect(got).toBeDefined()
        expect(got?.['x-client-cert-subject']).toBeUndefined()
        expect(got?.['x-client-cert-fingerprint']).toBeUndefined()
      }
    })

    it('a plain http listener is unaffected, and forged certificate fields are removed there too', async () => {
      const id = testId()
      const res = await fetch(`${url('plain')}/up/plain`, {
        headers: { 'x-test-id': id, 'x-client-cert-subject': CLIENT_SUBJECT, 'x-client-cert-fingerprint': clientFingerprint },
      })
      expect(res.status).toBe(200)
      const got = seen.get(id)
      expect(got?.['x-forwarded-proto']).toBe('http')
      expect(got?.['x-client-cert-subject']).toBeUndefined()
      expect(got?.['x-client-cert-fingerprint']).toBeUndefined()
    })

    it('a bad TLS config stops the start, naming the key path and the file', async () => {
      const bad = writeConfig(`${runtime}-bad-entry`, [{ id: 'x', address: '127.0.0.1:0', tls: tlsBlock('require', { certificates: [{ cert_file: 'b.crt' }] }) }])
      await expect(startPortico(runtime, bad, {}, join(root, '.test-out', `tls-${runtime}-bad.log`)).ready).rejects.toThrow(
        'listeners.0.tls.certificates.0.key_file:',
      )
      const missing = writeConfig(`${runtime}-bad-file`, [{ id: 'x', address: '127.0.0.1:0', tls: tlsBlock('none', { cert_file: 'nope.crt' }) }])
      await expect(startPortico(runtime, missing, {}, join(root, '.test-out', `tls-${runtime}-bad.log`)).ready).rejects.toThrow(
        `listeners.0.tls.cert_file: cannot read ${join(dir, 'nope.crt')}`,
      )
      const mismatch = writeConfig(`${runtime}-bad-key`, [{ id: 'x', address: '127.0.0.1:0', tls: tlsBlock('none', { key_file: 'b.key' }) }])
      await expect(startPortico(runtime, mismatch, {}, join(root, '.test-out', `tls-${runtime}-bad.log`)).ready).rejects.toThrow(
        'listeners.0.tls.key_file: b.key is not the key of the certificate in a.crt',
      )
    })
  })
}
