/**
 * Text → validated Config: YAML (JSON is YAML) → expansion → zod. Every problem is reported,
 * each with its key path and, where the YAML parser knows it, its line.
 * @module
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml'
import { type ExpandOptions, type ExpandReport, expandDocument, maskReferences, type Retyped } from './expand.ts'
import { configSchema } from './schema.ts'
import { unusedRetries } from './schema-route-rules.ts'
import type { Config, ConfigIssue } from './types.ts'

export type ParseResult = { ok: true; config: Config; warnings: string[] } | { ok: false; issues: ConfigIssue[] }

type Path = readonly PropertyKey[]

/**
 * Line of the deepest node on `path` that exists: the key itself for a mapping entry (so an
 * unknown or bad key points at its own line, not at the block below it), else its parent.
 */
function lineFinder(doc: Document, lines: LineCounter): (path: Path) => number | undefined {
  return (path) => {
    let node: unknown = doc.contents
    let offset = (node as { range?: number[] } | null)?.range?.[0]
    for (const segment of path) {
      if (isMap(node)) {
        // Keys compare as text: zod reports record keys as strings, YAML may have read `1:` as a number.
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment))
        if (pair === undefined) break
        offset = (pair.key as { range?: number[] } | null)?.range?.[0] ?? offset
        node = pair.value
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment]
        offset = (node as { range?: number[] }).range?.[0] ?? offset
      } else break
    }
    return offset === undefined ? undefined : lines.linePos(offset).line
  }
}

const pathKey = (path: Path) => path.map(String).join('\u0000')

/**
 * The schema over the expanded value. A string key given a re-typed `${NAME}` (a number, a
 * boolean) takes the scalar's text instead, as Runway's YAML decoder does (expand.ts).
 */
function validate(expanded: object, retyped: Retyped) {
  const result = configSchema.safeParse(expanded)
  if (result.success || retyped.length === 0) return result
  const textOf = new Map(retyped.map((r) => [pathKey(r.path), r]))
  let changed = false
  for (const iss of result.error.issues) {
    const r = iss.code === 'invalid_type' && iss.expected === 'string' ? textOf.get(pathKey(iss.path)) : undefined
    if (r === undefined || r.path.length === 0) continue
    let parent: unknown = expanded
    for (const segment of r.path.slice(0, -1)) parent = (parent as Record<string | number, unknown> | null)?.[segment]
    if (parent === null || typeof parent !== 'object') continue
    ;(parent as Record<string | number, unknown>)[r.path[r.path.length - 1]] = r.text
    changed = true
  }
  return changed ? configSchema.safeParse(expanded) : result
}

/** Parse, expand and validate one config text. `file` only labels the issues. */
export function parseConfig(text: string, file: string, options: ExpandOptions): ParseResult {
  const lines = new LineCounter()
  const { masked, unmask } = maskReferences(text)
  const doc = parseDocument(masked, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({ file, path: '', message: `YAML: ${unmask(e.message.split('\n')[0])}`, line: lines.linePos(e.pos[0]).line })),
    }
  }
  const report: ExpandReport = { errors: [], warnings: [] }
  const retyped = expandDocument(doc, options, report, unmask)
  const expanded = doc.toJS({ maxAliasCount: 100 }) as unknown
  if (expanded === null || expanded === undefined) return { ok: false, issues: [{ file, path: '', message: 'config is empty' }] }
  if (typeof expanded !== 'object' || Array.isArray(expanded)) {
    return { ok: false, issues: [{ file, path: '', message: 'config must be a mapping of keys', line: 1 }] }
  }

  const lineOf = lineFinder(doc, lines)
  const issues: ConfigIssue[] = report.errors.map((p) => ({ file, path: p.path.join('.'), message: p.message, line: lineOf(p.path) }))
  const at = (path: Path, message: string): ConfigIssue => ({ file, path: path.map(String).join('.'), message, line: lineOf(path) })

  const result = validate(expanded, retyped)
  if (!result.success) {
    for (const iss of result.error.issues) {
      // An unknown key is reported at the key itself, one issue per key (strict() joins them with "; ").
      const messages = iss.code === 'unrecognized_keys' ? iss.message.split('; ') : []
      if (iss.code === 'unrecognized_keys' && messages.length === iss.keys.length) {
        for (const [n, k] of iss.keys.entries()) issues.push(at([...iss.path, k], messages[n]))
      } else issues.push(at(iss.path, iss.message))
    }
  }
  if (issues.length > 0 || !result.success) return { ok: false, issues }

  // Warnings carry no file name: the caller prefixes it (`FILE: warning: …`).
  const warnings = report.warnings.map((w) => `${w.path.join('.')}: ${w.message}`)
  warnings.push(...unusedRetries(result.data.routes))
  return { ok: true, config: result.data, warnings }
}
