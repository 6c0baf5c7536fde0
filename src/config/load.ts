/**
 * Text → validated Config: YAML (JSON is YAML) → expansion → zod. Every problem is reported,
 * each with its key path and, where the YAML parser knows it, its line.
 * @module
 */
import { LineCounter, parseDocument } from 'yaml'
import { type ExpandOptions, type ExpandProblem, expandValues } from './expand.ts'
import { configSchema } from './schema.ts'
import type { Config, ConfigIssue } from './types.ts'

export type ParseResult = { ok: true; config: Config; warnings: string[] } | { ok: false; issues: ConfigIssue[] }

export function parseConfig(text: string, file: string, options: ExpandOptions): ParseResult {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({ file, path: '', message: `YAML: ${e.message.split('\n')[0]}`, line: lines.linePos(e.pos[0]).line })),
    }
  }
  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown
  if (raw === null || raw === undefined) return { ok: false, issues: [{ file, path: '', message: 'config is empty' }] }
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, issues: [{ file, path: '', message: 'config must be a mapping of keys' }] }

  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined
      if (node?.range) return lines.linePos(node.range[0]).line
      // a missing key: point at its parent object
    }
    return undefined
  }

  const expandProblems: ExpandProblem[] = []
  const expanded = expandValues(raw, options, expandProblems)
  const issues: ConfigIssue[] = expandProblems.map((p) => ({ file, path: p.path.join('.'), message: p.message, line: lineOf(p.path) }))

  const result = configSchema.safeParse(expanded)
  if (!result.success) {
    for (const iss of result.error.issues) {
      const path = [...iss.path]
      // An unknown key is reported at the key itself, not at the object holding it.
      if (iss.code === 'unrecognized_keys' && iss.keys.length === 1) path.push(iss.keys[0])
      issues.push({ file, path: path.map(String).join('.'), message: iss.message, line: lineOf(path) })
    }
  }
  if (issues.length > 0) return { ok: false, issues }
  return { ok: true, config: (result as { data: Config }).data, warnings: [] }
}
