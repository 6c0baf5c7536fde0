/**
 * The one Cookie-header reader (RFC 6265 §5.4: `a=1; b=2`), used by routing matchers, limit
 * keys, JWT-from-cookie, traffic-split and affinity pins. The first occurrence of a name wins,
 * and a DQUOTE-wrapped value is unwrapped (RFC 6265 §4.1.1 allows `name="value"`), so every
 * feature reads the same value for the same cookie.
 * @module
 */

function unquote(v: string): string {
  return v.length >= 2 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34 ? v.slice(1, -1) : v
}

export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>()
  if (header === null) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    const name = part.slice(0, eq).trim()
    if (name !== '' && !out.has(name)) out.set(name, unquote(part.slice(eq + 1).trim()))
  }
  return out
}

/** One cookie's value without building the whole map; null when absent. */
export function cookieValue(header: string | null, name: string): string | null {
  if (header === null) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return unquote(part.slice(eq + 1).trim())
  }
  return null
}
