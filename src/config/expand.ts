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

const REF = /\$\{(env:|file:)?([^}]*)\}/g

function expandString(s: string, o: ExpandOptions, path: (string | number)[], problems: ExpandProblem[]): string {
  if (!s.includes('${')) return s
  return s.replace(REF, (whole, kind: string | undefined, name: string) => {
    if (kind === 'file:') {
      if (o.readFile === undefined) {
        problems.push({ path, message: `\${file:${name}} cannot be read on this runtime` })
        return whole
      }
      try {
        return o.readFile(name).replace(/\s+$/, '')
      } catch (err) {
        problems.push({ path, message: `\${file:${name}}: ${(err as Error).message}` })
        return whole
      }
    }
    const value = o.env[name]
    if (value === undefined) {
      if (kind === 'env:') problems.push({ path, message: `environment variable ${name} is not set` })
      return whole
    }
    return value
  })
}

export function expandValues(value: unknown, o: ExpandOptions, problems: ExpandProblem[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return expandString(value, o, path, problems)
  if (Array.isArray(value)) return value.map((v, i) => expandValues(v, o, problems, [...path, i]))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = expandValues(v, o, problems, [...path, k])
    return out
  }
  return value
}
