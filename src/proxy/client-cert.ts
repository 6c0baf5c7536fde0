/**
 * Upstream header edits for the TLS client certificate (mTLS listeners). The incoming copies
 * are always removed, on every listener, so a client can never forge an identity the gateway
 * did not verify; the fields are set only for a certificate checked against `client_ca_file`.
 * @module
 */
import type { RequestInfo } from '../core/runtime.ts'

export const CLIENT_CERT_SUBJECT_HEADER = 'x-client-cert-subject'
export const CLIENT_CERT_FINGERPRINT_HEADER = 'x-client-cert-fingerprint'

const utf8 = new TextEncoder()

/**
 * RFC 9110 §5.5: a field value never carries CR, LF or NUL (header injection). Non-ASCII is
 * written as RFC 4514 §2.4 `\XX` escapes of its UTF-8 bytes, so the value stays a valid
 * ByteString (a code point above U+00FF would make `Headers.set` throw) and still parses as a
 * distinguished name.
 */
function fieldValue(v: string): string {
  const clean = v.replace(/[\r\n\0]/g, '')
  if (!/[^\x20-\x7e]/.test(clean)) return clean
  let out = ''
  for (const ch of clean) {
    const c = ch.codePointAt(0)!
    if (c >= 0x20 && c <= 0x7e) out += ch
    else for (const b of utf8.encode(ch)) out += `\\${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * Header edits for the upstream request: the verified values, or null. The incoming copies are
 * dropped while the proxy copies the request headers (upstream-request.ts DROP_REQUEST), which
 * costs nothing per request.
 */
export function clientCertEdits(info: RequestInfo): [string, string | null][] | null {
  const cert = info.clientCert
  if (!cert?.verified) return null
  return [
    [CLIENT_CERT_SUBJECT_HEADER, fieldValue(cert.subject)],
    [CLIENT_CERT_FINGERPRINT_HEADER, fieldValue(cert.fingerprint256)],
  ]
}
