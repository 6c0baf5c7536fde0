/**
 * Go-style durations (`time.ParseDuration`): `250ms`, `30s`, `1h30m`, `1.5s`, `0` → ms.
 * @module
 */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y

/** Returns milliseconds, or an error message. Bare numbers are not allowed (except 0), as in Go. */
export function parseDuration(input: string): number | string {
  const s = input.trim()
  if (s === '0') return 0
  if (s === '') return 'empty duration'
  PART.lastIndex = 0
  let total = 0
  let pos = 0
  while (pos < s.length) {
    PART.lastIndex = pos
    const m = PART.exec(s)
    if (m === null) return `"${input}" is not a duration (use e.g. 250ms, 30s, 5m, 1h30m)`
    total += Number(m[1]) * UNIT_MS[m[2]]
    pos = PART.lastIndex
  }
  return total
}
