/**
 * Secret and environment references in string VALUES (after YAML parsing, so an expanded
 * value can never inject YAML structure): `${env:NAME}` (error if unset), `${file:/path}`
 * (contents, trailing whitespace trimmed), `${NAME}` (env, left as is if unset).
 * Runway's `$request_id`-style variables have no braces and are untouched.
 * @module
 */

export interface ExpandOptions {
  env: Record<string, string | undefined>
  /** Absent where there is no file system (Workers): `${file:…}` is then an error. */
  readFile?: (path: string) => string
}

export interface ExpandProblem {
  path: (string | number)[]
  message: string
}

/** Errors stop the config; warnings (an unset `${NAME}` kept as text) are logged. */
export interface ExpandReport {
  errors: ExpandProblem[]
  warnings: ExpandProblem[]
}

const REF = /\$\{(env:|file:)?([^}]*)\}/g

function expandString(s: string, o: ExpandOptions, path: (string | number)[], report: ExpandReport): string {
  if (!s.includes('${')) return s
  return s.replace(REF, (whole, kind: string | undefined, name: string) => {
    if (name.trim() === '') {
      report.errors.push({ path, message: `"${whole}" names no variable or file` })
      return whole
    }
    if (kind === 'file:') {
      if (o.readFile === undefined) {
        report.errors.push({ path, message: `\${file:${name}} cannot be read on this runtime (no file system)` })
        return whole
      }
      try {
        return o.readFile(name).replace(/\s+$/, '')
      } catch (err) {
        report.errors.push({ path, message: `\${file:${name}} cannot be read: ${(err as Error).message}` })
        return whole
      }
    }
    const value = o.env[name]
    if (value === undefined) {
      if (kind === 'env:') report.errors.push({ path, message: `environment variable ${name} is not set` })
      // Runway keeps an unset `${NAME}` as text; say so, since it is usually a forgotten export.
      else report.warnings.push({ path, message: `\${${name}} is not set and was kept as text` })
      return whole
    }
    return value
  })
}

/** Returns a copy of `value` with every string expanded; problems go to `report`, keyed by path. */
export function expandValues(value: unknown, o: ExpandOptions, report: ExpandReport, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return expandString(value, o, path, report)
  if (Array.isArray(value)) return value.map((v, i) => expandValues(v, o, report, [...path, i]))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = expandValues(v, o, report, [...path, k])
    return out
  }
  return value
}
