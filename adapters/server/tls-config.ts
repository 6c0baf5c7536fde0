/**
 * `listeners[].tls` for the server runtimes: every certificate, key and CA file is read and
 * checked once, before any socket is bound (a bad one stops the start with its key path and
 * file), then turned into node:tls options (Node, and the node:tls listeners of Bun and Deno)
 * and into the client certificate the core sees (`RequestInfo.clientCert`).
 * Relative file names are resolved against the config file's directory, so a config means
 * the same files whichever runtime (and working directory) serves it.
 * @module
 */
import { X509Certificate, constants, createHash, createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { type SecureContext, type TLSSocket, type TlsOptions, createSecureContext } from 'node:tls'
import type { ListenerConfig } from '../../src/config/types.ts'
import type { RequestInfo } from '../../src/core/runtime.ts'
import { subjectOf } from './distinguished-name.ts'

export type ClientAuth = 'none' | 'request' | 'require' | 'verify'
export type ClientCert = NonNullable<RequestInfo['clientCert']>

export interface CertKey {
  /** PEM: the leaf certificate, then any intermediates. */
  cert: string
  key: string
}

export interface SniCertificate extends CertKey {
  /** Lower-case: exact names (`api.example.com`) and one-label wildcards (`*.example.com`). */
  names: string[]
}

export interface ListenerTls {
  /** `listeners.<i>.tls`, for messages. */
  where: string
  /** Served when the client sends no SNI, or a name no `certificates` entry covers. */
  fallback: CertKey
  sni: SniCertificate[]
  clientAuth: ClientAuth
  /** PEM certificates from `client_ca_file`; null when not configured. */
  clientCa: string[] | null
}

export function httpsUrl(url: string): string {
  return url.replace(/^http:/, 'https:')
}

/** One entry per listener: its TLS set-up, or null for plain HTTP. Throws `listeners.<i>.tls…: problem`. */
export function loadListenersTls(listeners: readonly ListenerConfig[], baseDir: string): (ListenerTls | null)[] {
  return listeners.map((l, i) => (l.protocol === 'http' && l.tls?.enabled ? loadListenerTls(l.tls, `listeners.${i}.tls`, baseDir) : null))
}

type TlsBlock = NonNullable<ListenerConfig['tls']> & { certificates?: unknown }

function loadListenerTls(tls: TlsBlock, where: string, baseDir: string): ListenerTls {
  const sni = certificatesOf(tls.certificates, `${where}.certificates`, baseDir)
  let fallback: CertKey
  if (tls.cert_file !== undefined || tls.key_file !== undefined) {
    if (tls.cert_file === undefined) throw new Error(`${where}.cert_file: required with key_file`)
    if (tls.key_file === undefined) throw new Error(`${where}.key_file: required with cert_file`)
    fallback = certKey(tls.cert_file, tls.key_file, where, baseDir)
  } else if (sni.length > 0) {
    fallback = sni[0]
  } else {
    throw new Error(`${where}: enabled needs cert_file and key_file (or a certificates list)`)
  }
  const clientAuth = tls.client_auth
  let clientCa: string[] | null = null
  if (tls.client_ca_file !== undefined) {
    clientCa = certificatesIn(readPem(tls.client_ca_file, `${where}.client_ca_file`, baseDir), `${where}.client_ca_file`, tls.client_ca_file)
  } else if (clientAuth === 'require' || clientAuth === 'verify') {
    // Without it node:tls would verify against the public web roots: any publicly issued
    // certificate would pass as a client identity.
    throw new Error(`${where}.client_ca_file: required when client_auth is ${clientAuth}`)
  }
  return { where, fallback, sni, clientAuth, clientCa }
}

function certificatesOf(raw: unknown, where: string, baseDir: string): SniCertificate[] {
  if (raw === undefined) return []
  if (!Array.isArray(raw)) throw new Error(`${where}: must be a list of { cert_file, key_file, server_names? }`)
  const seen = new Map<string, string>()
  return raw.map((entry: unknown, j) => {
    const at = `${where}.${j}`
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${at}: must be { cert_file, key_file, server_names? }`)
    const e = entry as Record<string, unknown>
    for (const k of Object.keys(e)) {
      if (k !== 'cert_file' && k !== 'key_file' && k !== 'server_names') throw new Error(`${at}.${k}: unknown key (expected cert_file, key_file, server_names)`)
    }
    for (const k of ['cert_file', 'key_file'] as const) {
      if (typeof e[k] !== 'string' || e[k] === '') throw new Error(`${at}.${k}: required, a file name`)
    }
    const pair = certKey(e.cert_file as string, e.key_file as string, at, baseDir)
    let names: string[]
    if (e.server_names === undefined) {
      // RFC 6125 §6.4.4: the DNS names a certificate is for are its subjectAltName entries.
      names = dnsNamesOf(new X509Certificate(pair.cert))
      if (names.length === 0) throw new Error(`${at}.server_names: required, the certificate in ${e.cert_file} has no DNS subjectAltName`)
    } else {
      if (!Array.isArray(e.server_names) || e.server_names.length === 0) throw new Error(`${at}.server_names: must be a non-empty list of host names`)
      names = e.server_names.map((n: unknown, k) => serverName(n, `${at}.server_names.${k}`))
    }
    for (const [k, n] of names.entries()) {
      const prior = seen.get(n)
      if (prior !== undefined) throw new Error(`${at}.server_names.${k}: "${n}" is already served by ${prior}`)
      seen.set(n, at)
    }
    return { ...pair, names }
  })
}

const HOST_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/

function serverName(n: unknown, where: string): string {
  if (typeof n !== 'string') throw new Error(`${where}: must be a host name`)
  const name = n.toLowerCase().replace(/\.$/, '')
  // RFC 6066 §3: SNI carries DNS host names only, never address literals.
  if (!HOST_NAME.test(name) || /^[\d.]+$/.test(name)) {
    throw new Error(`${where}: "${n}" is not a host name or a *.wildcard (address literals never arrive as SNI)`)
  }
  return name
}

function dnsNamesOf(x: X509Certificate): string[] {
  const names: string[] = []
  for (const part of (x.subjectAltName ?? '').split(', ')) {
    if (!part.startsWith('DNS:')) continue
    const name = part.slice(4).toLowerCase()
    if (HOST_NAME.test(name)) names.push(name)
  }
  return names
}

function readPem(file: string, where: string, baseDir: string): string {
  const path = resolve(baseDir, file)
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new Error(`${where}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

function certificatesIn(pem: string, where: string, file: string): string[] {
  const blocks = pem.match(PEM_CERT) ?? []
  if (blocks.length === 0) throw new Error(`${where}: ${file} holds no PEM certificate`)
  for (const [i, b] of blocks.entries()) {
    try {
      new X509Certificate(b)
    } catch (err) {
      throw new Error(`${where}: certificate ${i + 1} in ${file} does not parse: ${(err as Error).message}`)
    }
  }
  return blocks
}

function certKey(certFile: string, keyFile: string, where: string, baseDir: string): CertKey {
  const cert = readPem(certFile, `${where}.cert_file`, baseDir)
  const key = readPem(keyFile, `${where}.key_file`, baseDir)
  const [leaf] = certificatesIn(cert, `${where}.cert_file`, certFile)
  let privateKey: ReturnType<typeof createPrivateKey>
  try {
    privateKey = createPrivateKey(key)
  } catch (err) {
    throw new Error(`${where}.key_file: ${keyFile} is not an unencrypted PEM private key: ${(err as Error).message}`)
  }
  if (!new X509Certificate(leaf).checkPrivateKey(privateKey)) {
    throw new Error(`${where}.key_file: ${keyFile} is not the key of the certificate in ${certFile}`)
  }
  return { cert, key }
}

/**
 * Exact names first, then the one-label wildcard of the parent domain: `*.example.com`
 * covers `a.example.com`, never `example.com` or `a.b.example.com` (RFC 6125 §6.4.3).
 * DNS names compare case-insensitively (RFC 4343).
 */
export function createSniLookup<T>(entries: readonly SniCertificate[], make: (e: SniCertificate) => T): (name: string) => T | undefined {
  const exact = new Map<string, T>()
  const wild = new Map<string, T>()
  for (const e of entries) {
    const value = make(e)
    for (const n of e.names) {
      if (n.startsWith('*.')) wild.set(n.slice(1), value)
      else exact.set(n, value)
    }
  }
  return function lookupServerName(name) {
    const n = name.toLowerCase().replace(/\.$/, '')
    const hit = exact.get(n)
    if (hit !== undefined) return hit
    const dot = n.indexOf('.')
    return dot > 0 ? wild.get(n.slice(dot)) : undefined
  }
}

/** node:tls server options: the fallback certificate, SNI contexts, and the client_auth policy. */
export function nodeTlsOptions(t: ListenerTls): TlsOptions {
  const ca = t.clientCa ?? undefined
  const options: TlsOptions = {
    cert: t.fallback.cert,
    key: t.fallback.key,
    ca,
    requestCert: t.clientAuth !== 'none',
    // `verify` refuses a presented but unverified certificate after the handshake (admitsPeer).
    rejectUnauthorized: t.clientAuth === 'require',
    // A TLS 1.2 renegotiation could swap the client certificate mid-connection, after the
    // identity was read (clientCertOf reads it once per connection): none is allowed.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  }
  if (t.sni.length > 0) {
    // Each SNI context carries the client CA too: the context chosen for the connection
    // replaces the default one, trust store included, so without it no client certificate
    // would verify on a name served by `certificates`.
    const lookup = createSniLookup<SecureContext>(t.sni, (e) => createSecureContext({ cert: e.cert, key: e.key, ca, secureOptions: options.secureOptions }))
    options.SNICallback = function sniCallback(name, done) {
      done(null, lookup(name)) // undefined: the fallback certificate
    }
  }
  return options
}

function hasPeerCert(socket: TLSSocket): boolean {
  const peer = socket.getPeerCertificate()
  return peer?.raw !== undefined && peer.raw.length > 0
}

/**
 * `verify` (verify if given): node:tls can only refuse an unverified certificate at the
 * handshake for everyone (`require`), so a connection that presented one anyway is closed as
 * soon as the handshake ends, before any request on it is read.
 */
export function admitsPeer(socket: TLSSocket, clientAuth: ClientAuth): boolean {
  return clientAuth !== 'verify' || socket.authorized || !hasPeerCert(socket)
}

const described = new WeakMap<TLSSocket, ClientCert | null>()

/**
 * The client certificate of a connection (null when none was presented), worked out once per
 * connection from the DER, so every runtime reports the same subject and fingerprint.
 * `request` never verifies: its identity is never marked verified, whatever the chain.
 */
export function clientCertOf(socket: TLSSocket, clientAuth: ClientAuth): ClientCert | null {
  let cert = described.get(socket)
  if (cert === undefined) {
    const peer = socket.getPeerCertificate()
    cert = peer?.raw === undefined || peer.raw.length === 0 ? null : describe(peer.raw, clientAuth !== 'request' && socket.authorized === true)
    described.set(socket, cert)
  }
  return cert
}

function describe(der: Uint8Array, verified: boolean): ClientCert {
  const fingerprint = fingerprint256(der)
  try {
    return { subject: subjectOf(der), fingerprint256: fingerprint, verified }
  } catch {
    // A subject this parser cannot read (the TLS stack could) is no identity: never trusted.
    return { subject: '', fingerprint256: fingerprint, verified: false }
  }
}

/** SHA-256 of the DER as colon-separated upper-case hex (the form of node:tls `fingerprint256` and `openssl x509 -fingerprint -sha256`). */
function fingerprint256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:')
}
