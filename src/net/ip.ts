/**
 * IP address parsing into a fixed 128-bit form (four uint32 words) so IPv4 and IPv6
 * compare with the same code. IPv4 is stored IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2)
 * so `::ffff:10.0.0.1` from a dual-stack socket and `10.0.0.1` are the same address.
 * @module
 */

export type IpWords = [number, number, number, number]

function parseV4(s: string): number | null {
  let value = 0
  let parts = 0
  let start = 0
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || s.charCodeAt(i) === 46 /* . */) {
      if (i === start || i - start > 3) return null
      const n = Number(s.slice(start, i))
      if (!Number.isInteger(n) || n > 255) return null
      value = value * 256 + n
      parts++
      start = i + 1
    } else {
      const c = s.charCodeAt(i)
      if (c < 48 || c > 57) return null
    }
  }
  return parts === 4 ? value : null
}

/** Parses an IPv4 or IPv6 literal (brackets and zone ids tolerated); null if invalid. */
export function parseIp(input: string): IpWords | null {
  let s = input
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  const zone = s.indexOf('%')
  if (zone !== -1) s = s.slice(0, zone)
  if (!s.includes(':')) {
    const v4 = parseV4(s)
    return v4 === null ? null : [0, 0, 0xffff, v4]
  }
  const hextets: number[] = []
  const halves = s.split('::')
  if (halves.length > 2) return null
  const parseHalf = (half: string): number[] | null => {
    if (half === '') return []
    const out: number[] = []
    const groups = half.split(':')
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseV4(g)
        if (v4 === null) return null
        out.push(v4 >>> 16, v4 & 0xffff)
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null
        out.push(Number.parseInt(g, 16))
      }
    }
    return out
  }
  const head = parseHalf(halves[0])
  const tail = halves.length === 2 ? parseHalf(halves[1]) : []
  if (head === null || tail === null) return null
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length
    if (fill < 1) return null
    hextets.push(...head, ...new Array<number>(fill).fill(0), ...tail)
  } else {
    if (head.length !== 8) return null
    hextets.push(...head)
  }
  return [
    ((hextets[0] << 16) | hextets[1]) >>> 0,
    ((hextets[2] << 16) | hextets[3]) >>> 0,
    ((hextets[4] << 16) | hextets[5]) >>> 0,
    ((hextets[6] << 16) | hextets[7]) >>> 0,
  ]
}

/** Canonical text for logs and headers: dotted quad for IPv4 (also when it came IPv4-mapped). */
export function formatIp(input: string): string {
  if (input.startsWith('::ffff:') && input.includes('.')) return input.slice(7)
  if (input.startsWith('[') && input.endsWith(']')) return input.slice(1, -1)
  return input
}
