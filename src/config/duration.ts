/**
 * Go-style durations (`time.ParseDuration`): `250ms`, `30s`, `1h30m`, `1.5s`, `0` → ms.
 * @module
 */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
// Longest units first so `ms` is not read as `m` followed by a stray `s`. Both micro signs
// (U+00B5 and U+03BC) are accepted, as in Go.
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y

/** A duration that cannot be read; the message names the input and shows valid forms. */
export class DurationError extends Error {
  override name = 'DurationError'
}

/**
 * Milliseconds (fractions kept: `1.5us` → 0.0015). Bare numbers other than `0` are refused,
 * as in Go: `30` could mean seconds or milliseconds, and guessing wrong is a silent outage.
 */
export function parseDuration(input: string): number {
  const s = input.trim()
  if (s === '') throw new DurationError('empty duration (use e.g. 250ms, 30s, 5m, 1h30m)')
  if (s === '0' || s === '+0' || s === '-0') return 0
  if (s.startsWith('-')) throw new DurationError(`"${input}" is negative; durations must be >= 0`)
  const body = s.startsWith('+') ? s.slice(1) : s
  let total = 0
  let pos = 0
  while (pos < body.length) {
    PART.lastIndex = pos
    const m = PART.exec(body)
    if (m === null) {
      const hint = /^\d+(\.\d+)?$/.test(body) ? ' (a unit is required: ms, s, m, h)' : ' (use e.g. 250ms, 30s, 5m, 1h30m)'
      throw new DurationError(`"${input}" is not a duration${hint}`)
    }
    total += Number(m[1]) * UNIT_MS[m[2]]
    pos = PART.lastIndex
  }
  return total
}
