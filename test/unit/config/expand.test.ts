// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text; ${…} is what is under test, not a template.
import { describe, expect, test } from 'vitest'
import { type ExpandReport, expandValues } from '../../../src/config/expand.ts'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'

const parse = (text: string, env: Record<string, string> = {}, readFile?: (p: string) => string) =>
  parseConfig(text, 'f.yaml', { env, readFile })
const valid = (text: string, env: Record<string, string>) => {
  const res = parse(text, env)
  if (!res.ok) throw new Error(formatIssues(res.issues))
  return res.config
}

const expand = (value: unknown, env: Record<string, string> = {}, readFile?: (p: string) => string) => {
  const report: ExpandReport = { errors: [], warnings: [] }
  return { value: expandValues(value, { env, readFile }, report), report }
}

describe('${…} expansion in values', () => {
  test('${env:NAME}, ${NAME} and ${file:/path} are replaced inside larger strings, in arrays and nested maps', () => {
    const { value, report } = expand(
      { a: 'Bearer ${env:TOK}', b: ['x-${HOST}-y'], c: { d: '${file:/run/secret}' } },
      { TOK: 't0k', HOST: 'h1' },
      (p) => (p === '/run/secret' ? 'from-file\n  \n' : ''),
    )
    expect(value).toEqual({ a: 'Bearer t0k', b: ['x-h1-y'], c: { d: 'from-file' } })
    expect(report).toEqual({ errors: [], warnings: [] })
    // Only trailing whitespace goes (the newline a file ends with); leading spaces are the secret's own.
    expect(expand('${file:/s}', {}, () => '  s3cret value \n\n\t ').value).toBe('  s3cret value')
  })

  test('an unset ${NAME} stays as text with a warning; $request_id-style variables are untouched', () => {
    const { value, report } = expand({ h: '${NOPE}', v: '$request_id $remote_addr' })
    expect(value).toEqual({ h: '${NOPE}', v: '$request_id $remote_addr' })
    expect(report.errors).toEqual([])
    expect(report.warnings).toEqual([{ path: ['h'], message: '${NOPE} is not set and was kept as text' }])
  })

  test('non-strings and keys are left alone', () => {
    const { value } = expand({ '${K}': 5, t: true, n: null }, { K: 'x' })
    expect(value).toEqual({ '${K}': 5, t: true, n: null })
  })

  test('a value that expands to YAML syntax stays one string (no injection)', () => {
    const config = valid('admin: { token: "${env:TOK}" }', { TOK: 'x\nroutes: [{id: evil}]' })
    expect(config.admin.token).toBe('x\nroutes: [{id: evil}]')
    expect(config.routes).toEqual([])
  })
})

describe('expansion errors are config issues at the key path', () => {
  test('an unset ${env:NAME} is an error with path and line', () => {
    const res = parse('logging:\n  level: info\nroutes:\n  - id: a\n    path: /a\n    backends: [{ url: "${env:API_URL}" }]')
    expect(res.ok).toBe(false)
    if (res.ok) return
    expect(res.issues).toContainEqual({ file: 'f.yaml', path: 'routes.0.backends.0.url', message: 'environment variable API_URL is not set', line: 6 })
  })

  test('an unreadable ${file:…} is an error naming the file; without a file system too', () => {
    const unreadable = parse('admin: { token: "${file:/nope}" }', {}, () => {
      throw new Error('ENOENT: no such file')
    })
    expect(unreadable).toMatchObject({ ok: false, issues: [{ path: 'admin.token', message: '${file:/nope} cannot be read: ENOENT: no such file', line: 1 }] })
    const workers = parse('admin: { token: "${file:/nope}" }')
    expect(workers).toMatchObject({ ok: false, issues: [{ path: 'admin.token', message: expect.stringContaining('no file system') }] })
  })

  test('an empty reference is an error rather than a silent empty string', () => {
    expect(parse('admin: { token: "${env:}" }')).toMatchObject({ ok: false, issues: [{ path: 'admin.token', message: '"${env:}" names no variable or file' }] })
  })

  test('warnings reach the caller of parseConfig', () => {
    const res = parse('admin: { token: "${MAYBE}" }')
    expect(res).toMatchObject({ ok: true, warnings: ['admin.token: ${MAYBE} is not set and was kept as text'] })
  })
})
