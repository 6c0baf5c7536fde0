/**
 * Secret and environment references in string VALUES, expanded after YAML parsing so a value
 * can never add YAML structure (a key, a list, a comment): `${env:NAME}` (error if unset),
 * `${file:/path}` (contents, trailing whitespace trimmed), `${NAME}` (env, left as is if unset).
 * Runway expands a bare `${NAME}` in the file text before parsing (its config/loader.go), so
 * `max_body_size: ${SIZE}` is a number there: a plain (unquoted, untagged) scalar whose
 * references are all bare `${NAME}`s takes the type its expanded text has under the YAML 1.2
 * core schema (§10.3.2) — a number, a boolean, null — as if that text had been written there.
 * Runway's `$request_id`-style variables have no braces and are untouched.
 * @module
 */
import { type Document, isMap, isScalar, isSeq } from 'yaml'

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

/** `bare`, when given, counts the bare `${NAME}`s replaced and notes any `${env:}`/`${file:}`. */
function expandString(s: string, o: ExpandOptions, path: (string | number)[], report: ExpandReport, bare?: { expanded: number; secret: boolean }): string {
  if (!s.includes('${')) return s
  return s.replace(REF, (whole, kind: string | undefined, name: string) => {
    if (bare !== undefined && kind !== undefined) bare.secret = true
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
    if (bare !== undefined && kind === undefined) bare.expanded++
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

/** A plain scalar's text under the YAML 1.2 core schema (§10.3.2): null, a boolean, a number, or itself. */
export function coreSchemaValue(text: string): unknown {
  if (/^(?:~|null|Null|NULL)$/.test(text)) return null
  if (/^(?:true|True|TRUE)$/.test(text)) return true
  if (/^(?:false|False|FALSE)$/.test(text)) return false
  if (/^0o[0-7]+$/.test(text)) return Number.parseInt(text.slice(2), 8)
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16)
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text)) return Number(text)
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return Number.NaN
  return text
}

// Private-use characters (YAML 1.2 printable, no indicator): allowed anywhere in a plain scalar.
const MASK = /\uE000(\d+)\uE001/g

/**
 * Hides each one-line `${…}` of `text` from the YAML parser behind a placeholder: `{` and `}`
 * end a plain scalar inside a flow collection, so Runway's `backends: [{ url: ${API_URL} }]`
 * (which parses there because the text is expanded first) would be a syntax error. Lines keep
 * their numbers; `unmask` gives the references back (expandDocument does, in keys and values).
 */
export function maskReferences(text: string): { masked: string; unmask: (s: string) => string } {
  const refs: string[] = []
  if (text.includes('\uE000')) return { masked: text, unmask: (s) => s }
  const masked = text.replace(/\$\{[^}\n]*\}/g, (ref) => `\uE000${refs.push(ref) - 1}\uE001`)
  return { masked, unmask: (s) => (s.includes('\uE000') ? s.replace(MASK, (_, i: string) => refs[Number(i)]) : s) }
}

/** The scalars `expandDocument` re-typed: their key path and expanded text. */
export type Retyped = { path: (string | number)[]; text: string }[]

/**
 * Expands every string scalar of `doc` in place (values only: keys get their text back from
 * `unmask`, never expanded; an alias shares its anchor's expansion). Returns the scalars
 * re-typed from their text, so that a string key can take the text back: Runway's YAML decoder
 * puts a scalar's text into a string field whatever its type (`token: ${TOKEN}` with
 * TOKEN=12345 is the string "12345" there). An empty expansion stays the empty string, not null.
 */
export function expandDocument(doc: Document, o: ExpandOptions, report: ExpandReport, unmask: (s: string) => string = (s) => s): Retyped {
  const retyped: Retyped = []
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key
        if (isScalar(key) && typeof key.value === 'string') key.value = unmask(key.value)
        walk(pair.value, [...path, String(isScalar(key) ? key.value : key)])
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, [...path, i])
    } else if (isScalar(node) && typeof node.value === 'string') {
      const source = unmask(node.value)
      if (!source.includes('${')) return
      const bare = { expanded: 0, secret: false }
      const text = expandString(source, o, path, report, bare)
      const plain = node.type === 'PLAIN' && node.tag === undefined && bare.expanded > 0 && !bare.secret
      const value = plain && text !== '' ? coreSchemaValue(text) : text
      if (typeof value !== 'string') retyped.push({ path, text })
      node.value = value
    }
  }
  walk(doc.contents, [])
  return retyped
}
