/**
 * Request path normalisation, applied before routing so that the path the router matched is
 * exactly the path sent upstream: a request can never reach an upstream path outside the
 * route that matched it.
 *
 * - percent-encoded unreserved characters are decoded (RFC 3986 §6.2.2.2), other escapes
 *   upper-cased (§6.2.2.1);
 * - encoded `/` and `\` (`%2F`, `%5C`) are decoded to `/` and take part in normalisation, as
 *   Envoy's UNESCAPE_AND_FORWARD does: many upstreams decode them, and `..%2F` must not
 *   become a traversal there;
 * - duplicate slashes collapse; dot segments (also `%2e` forms) are removed (§5.2.4) and can
 *   never climb above the root;
 * - malformed escapes and NUL (`%00`) make the path invalid (the caller answers 400).
 * @module
 */

const HEX = '0123456789ABCDEF'

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1
}

function isUnreserved(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126
}

function needsWork(path: string): boolean {
  return path.includes('%') || path.includes('//') || path.includes('/.') || path.includes('\\')
}

export function normalizePath(raw: string): string | null {
  if (raw.length === 0 || raw.charCodeAt(0) !== 47 /* / */) return null
  if (!needsWork(raw)) return raw

  // 1. escapes
  let decoded = ''
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c === 92 /* \ */) {
      decoded += '/'
    } else if (c === 37 /* % */) {
      if (i + 2 >= raw.length) return null
      const hi = hexValue(raw.charCodeAt(i + 1))
      const lo = hexValue(raw.charCodeAt(i + 2))
      if (hi < 0 || lo < 0) return null
      const byte = hi * 16 + lo
      if (byte === 0) return null
      if (isUnreserved(byte) || byte === 47 || byte === 92) decoded += byte === 92 ? '/' : String.fromCharCode(byte)
      else decoded += `%${HEX[hi]}${HEX[lo]}`
      i += 2
    } else {
      decoded += raw[i]
    }
  }

  // 2. segments
  const segments = decoded.split('/')
  const out: string[] = []
  let trailing = false
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]
    const last = i === segments.length - 1
    if (s === '' || s === '.') {
      trailing = last
    } else if (s === '..') {
      out.pop()
      trailing = last
    } else {
      out.push(s)
      trailing = false
    }
  }
  const joined = `/${out.join('/')}`
  return trailing && joined !== '/' ? `${joined}/` : joined
}
