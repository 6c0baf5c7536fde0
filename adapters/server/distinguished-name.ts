/**
 * A certificate's subject as an RFC 4514 string, read from the DER itself. The runtimes'
 * `X509Certificate.subject` disagree (Deno does not escape `,`; none keeps multi-valued RDNs),
 * and the subject is an identity the upstream compares byte for byte, so every runtime must
 * produce the same string for the same certificate.
 * @module
 */

/** RFC 4514 §3 short names, plus SERIALNUMBER and POSTALCODE as Go's pkix.Name.String() writes them. */
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.17': 'POSTALCODE',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
}

interface Tlv {
  tag: number
  /** Offset of the value's first byte. */
  start: number
  /** Offset just past the value. */
  end: number
  /** Offset of the tag byte (the whole TLV is der[at, end)). */
  at: number
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new Error('truncated DER')
  const tag = der[at]
  let len = der[at + 1]
  let start = at + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || start + n > limit) throw new Error('bad DER length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]
    start += n
  }
  const end = start + len
  if (end > limit) throw new Error('truncated DER')
  return { tag, start, end, at }
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = []
  for (let at = parent.start; at < parent.end; ) {
    const t = readTlv(der, at, parent.end)
    out.push(t)
    at = t.end
  }
  return out
}

function oidOf(der: Uint8Array, t: Tlv): string {
  const parts: number[] = []
  let v = 0
  for (let i = t.start; i < t.end; i++) {
    v = v * 128 + (der[i] & 0x7f)
    if (!(der[i] & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80)
      else parts.push(v)
      v = 0
    }
  }
  return parts.join('.')
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/** The value as text, or null when it is not a string type (then it is written as `#hex`). */
function stringValue(der: Uint8Array, t: Tlv): string | null {
  const bytes = der.subarray(t.start, t.end)
  switch (t.tag) {
    case 0x0c: // UTF8String
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: // TeletexString: in practice Latin-1
      return String.fromCharCode(...bytes)
    case 0x1e: // BMPString: UTF-16BE
      return new TextDecoder('utf-16be').decode(bytes)
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = ''
      for (let i = 0; i + 3 < bytes.length; i += 4) s += String.fromCodePoint(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0)
      return s
    }
    default:
      return null
  }
}

/** RFC 4514 §2.4: `"+,;<>\` anywhere, a leading space or `#`, a trailing space, and NUL are escaped. */
function escapeValue(v: string): string {
  let out = ''
  for (let i = 0; i < v.length; i++) {
    const c = v[i]
    if (c === '\0') out += '\\00'
    else if ('"+,;<>\\'.includes(c) || (c === ' ' && (i === 0 || i === v.length - 1)) || (c === '#' && i === 0)) out += `\\${c}`
    else out += c
  }
  return out
}

/**
 * The subject of a DER X.509 certificate (RFC 5280 §4.1) as RFC 4514 §2 prescribes: RDNs in
 * reverse order joined by `,`, the attributes of a multi-valued RDN joined by `+`, attribute
 * types without a short name as dotted OIDs with `#`-hex values. Throws on malformed DER.
 */
export function subjectOf(der: Uint8Array): string {
  const cert = readTlv(der, 0, der.length)
  const [tbs] = children(der, cert)
  const fields = children(der, tbs)
  // tbsCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject.
  const subject = fields[fields[0].tag === 0xa0 ? 5 : 4]
  if (subject === undefined || subject.tag !== 0x30) throw new Error('no subject in certificate')
  const rdns = children(der, subject).map((set) =>
    children(der, set)
      .map((atv) => {
        const [type, value] = children(der, atv)
        const oid = oidOf(der, type)
        const name = SHORT_NAMES[oid]
        const text = name === undefined ? null : stringValue(der, value)
        return text === null ? `${name ?? oid}=#${hex(der.subarray(value.at, value.end))}` : `${name}=${escapeValue(text)}`
      })
      .join('+'),
  )
  return rdns.reverse().join(',')
}
