/**
 * Request path normalisation, applied once before routing. The router matches the normalised
 * path and the gateway forwards that same path, so a request can never reach an upstream path
 * outside the route that matched it.
 *
 * - `%XX` of an unreserved character (ALPHA DIGIT - . _ ~) is decoded, every other escape is
 *   kept and upper-cased (RFC 3986 §6.2.2.1, §6.2.2.2);
 * - `%2F` and `%5C` stay encoded: decoding them would change the segment structure the route
 *   matched. A segment that hides a dot segment behind them (`..%2F..%2Fadmin`) is refused,
 *   because upstreams that decode `%2F` would resolve it as a traversal;
 * - a literal `\` counts as `/`, as the WHATWG URL parser does for http(s) URLs, so the result
 *   does not depend on whether the caller parsed the URL first;
 * - duplicate slashes collapse; dot segments (also `%2e` forms) are removed (RFC 3986 §5.2.4)
 *   and can never climb above the root; a trailing slash is kept as given.
 *
 * `null` (the caller answers 400) for: a path not starting with `/`, a malformed escape
 * (`%zz`, a lone `%`), NUL (`%00`), a raw control character, a hidden dot segment.
 * @module
 */

const HEX = '0123456789ABCDEF'

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1
}

/** RFC 3986 §2.3 unreserved. */
function isUnreserved(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126
}

/** True when the path can be returned untouched: the common case, checked without allocating. */
function isClean(path: string): boolean {
  let prevSlash = false
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c === 37 /* % */ || c === 92 /* \ */ || c < 32 || c === 127) return false
    if (prevSlash && (c === 47 /* / */ || c === 46 /* . */)) return false
    prevSlash = c === 47
  }
  return true
}

/**
 * Decodes the escapes of one segment (`raw[start, end)`); null when malformed or NUL.
 * Sets `flags.hidden` on an encoded `/` or `\`, after which the segment needs the dot check.
 */
function decodeSegment(raw: string, start: number, end: number, flags: { hidden: boolean }): string | null {
  let out = ''
  let from = start
  for (let i = start; i < end; i++) {
    if (raw.charCodeAt(i) !== 37) continue
    if (i + 2 >= end) return null
    const hi = hexValue(raw.charCodeAt(i + 1))
    const lo = hexValue(raw.charCodeAt(i + 2))
    if (hi < 0 || lo < 0) return null
    const byte = hi * 16 + lo
    if (byte === 0) return null
    out += raw.slice(from, i)
    if (isUnreserved(byte)) {
      out += String.fromCharCode(byte)
    } else {
      if (byte === 47 || byte === 92) flags.hidden = true
      out += `%${HEX[hi]}${HEX[lo]}`
    }
    i += 2
    from = i + 1
  }
  return from === start ? raw.slice(start, end) : out + raw.slice(from, end)
}

/** Whether splitting `segment` at `%2F`/`%5C` would yield a `.` or `..` part. */
function hidesDotSegment(segment: string): boolean {
  let partStart = 0
  for (let i = 0; i <= segment.length; i++) {
    const atEnd = i === segment.length
    const sep = !atEnd && segment.charCodeAt(i) === 37 && (segment.startsWith('%2F', i) || segment.startsWith('%5C', i))
    if (!atEnd && !sep) continue
    const part = segment.slice(partStart, i)
    if (part === '.' || part === '..') return true
    i += 2
    partStart = i + 1
  }
  return false
}

export function normalizePath(rawPath: string): string | null {
  if (rawPath.length === 0 || rawPath.charCodeAt(0) !== 47) return null
  if (isClean(rawPath)) return rawPath

  const out: string[] = []
  const flags = { hidden: false }
  let trailing = false
  let start = 1
  for (let i = 1; i <= rawPath.length; i++) {
    const c = i < rawPath.length ? rawPath.charCodeAt(i) : 47
    if (c < 32 || c === 127) return null
    if (c !== 47 && c !== 92) continue
    const last = i === rawPath.length
    flags.hidden = false
    const segment = decodeSegment(rawPath, start, i, flags)
    start = i + 1
    if (segment === null) return null
    if (segment === '' || segment === '.') {
      // RFC 3986 §5.2.4 B: "/./" and a final "/." become "/"; empty segments collapse.
      trailing = last
    } else if (segment === '..') {
      // §5.2.4 C: drop the last output segment; popping an empty list keeps us at the root.
      out.pop()
      trailing = last
    } else {
      if (flags.hidden && hidesDotSegment(segment)) return null
      out.push(segment)
      trailing = false
    }
  }
  const joined = `/${out.join('/')}`
  return trailing && out.length > 0 ? `${joined}/` : joined
}
