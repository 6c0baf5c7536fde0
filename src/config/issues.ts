/** Config problems as users read them: `FILE: key.path: message (line N)`. */
import type { ConfigIssue } from './types.ts'

export function formatIssue(i: ConfigIssue): string {
  const where = i.path === '' ? '' : ` ${i.path}:`
  return `${i.file}:${where} ${i.message}${i.line !== undefined ? ` (line ${i.line})` : ''}`
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map(formatIssue).join('\n')
}
