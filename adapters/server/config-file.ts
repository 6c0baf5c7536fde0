/**
 * Reads and validates a config file for the server runtimes (Node, Bun and Deno all provide
 * node:fs). Returns the problems instead of throwing so the CLI can print every one of them.
 * @module
 */
import { readFileSync } from 'node:fs'
import { type ParseResult, parseConfig } from '../../src/config/load.ts'

/** The parser's own result: a config and its warnings, or every problem found. */
export type LoadResult = ParseResult

export function loadConfigFile(file: string, env: Record<string, string | undefined>): LoadResult {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    return { ok: false, issues: [{ file, path: '', message: `cannot read file: ${(err as Error).message}` }] }
  }
  return parseConfig(text, file, { env, readFile: (p: string) => readFileSync(p, 'utf8') })
}
