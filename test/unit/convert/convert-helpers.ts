/**
 * Shared by the converter tests: run a converter, read its YAML back, and validate it exactly as
 * `portico --validate` does (adapters/server/config-file.ts on a file).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { loadConfigFile } from '../../../adapters/server/config-file.ts'
import { formatIssues } from '../../../src/config/issues.ts'
import { CONVERTERS, type ConvertNote } from '../../../src/convert/converters.ts'

export const root = join(import.meta.dirname, '../../..')
export const SECRET = 'convert-test-secret-0123456789abcdef0123'

export interface Converted {
  yaml: string
  // biome-ignore lint/suspicious/noExplicitAny: the converted config read back, inspected key by key.
  out: any
  notes: ConvertNote[]
  /** `path: message` of every note, for order-free matching. */
  said: string[]
}

export function convert(from: 'gateway-pro' | 'rust-flux', text: string): Converted {
  const r = CONVERTERS[from]!(text)
  return { yaml: r.yaml, out: parse(r.yaml) ?? {}, notes: r.notes, said: r.notes.map((n) => `${n.path}: ${n.message}`) }
}

/** The note on `path`, or a failure naming every note there is. */
export function noteAt(c: Converted, path: string): ConvertNote {
  const n = c.notes.find((x) => x.path === path)
  if (n === undefined) throw new Error(`no note at ${path}; notes:\n${c.said.join('\n')}`)
  return n
}

/** Validates the converted text as `--validate` does; returns the warnings, throws the issues. */
export function validate(yaml: string, name: string): string[] {
  const dir = join(root, '.test-out', 'convert')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, name)
  writeFileSync(file, yaml)
  const loaded = loadConfigFile(file, { JWT_SECRET: SECRET })
  if (!loaded.ok) throw new Error(formatIssues(loaded.issues))
  return loaded.warnings
}
