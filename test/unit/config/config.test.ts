import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseDuration } from '../../../src/config/duration.ts'
import { inactiveFeatures } from '../../../src/config/inactive.ts'
import { formatIssues } from '../../../src/config/issues.ts'
import { configJsonSchema } from '../../../src/config/json-schema.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { redactConfig } from '../../../src/config/redact.ts'

const root = join(import.meta.dirname, '../../..')
const parse = (text: string, env: Record<string, string> = {}, readFile?: (p: string) => string) =>
  parseConfig(text, 'f.yaml', { env, readFile })

describe('durations', () => {
  test('Go-style strings become milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('0')).toBe(0)
    expect(typeof parseDuration('10 seconds')).toBe('string')
    expect(typeof parseDuration('30')).toBe('string')
  })
})

describe('parseConfig', () => {
  test('both Runway README examples validate, and their later features are listed as inactive', () => {
    for (const f of ['runway-minimal.yaml', 'runway-example.yaml']) {
      const res = parse(readFileSync(join(root, 'configs/examples', f), 'utf8'))
      expect(res.ok, JSON.stringify(res)).toBe(true)
    }
    const res = parse(readFileSync(join(root, 'configs/examples/runway-example.yaml'), 'utf8'))
    if (!res.ok) throw new Error('invalid')
    const inactive = inactiveFeatures(res.config)
    for (const key of ['registry', 'authentication', 'routes.users-api.service', 'routes.users-api.rate_limit', 'routes.users-api.cache', 'listeners.0.http.write_timeout']) {
      expect(inactive).toContain(key)
    }
  })

  test('defaults are applied', () => {
    const res = parse('routes: [{ id: a, path: /a, echo: true }]')
    if (!res.ok) throw new Error(formatIssues(res.issues))
    expect(res.config.admin.address).toBe('127.0.0.1:8081')
    expect(res.config.store.type).toBe('memory')
    expect(res.config.routes[0]).toMatchObject({ path_prefix: false, methods: [], strip_prefix: false })
    expect(res.config.trusted_proxies.cidrs).toEqual([])
  })

  test('${env:X}, ${X} and ${file:/p} expand in values; an unset ${env:X} is an error at its key', () => {
    const text = 'admin: { token: "${env:TOK}" }\nroutes: [{ id: a, path: "/${PFX}", echo: true }]\nlogging: { output: "${file:/secret}" }'
    const res = parse(text, { TOK: 't0k' }, () => 'from-file\n  ')
    if (!res.ok) throw new Error(formatIssues(res.issues))
    expect(res.config.admin.token).toBe('t0k')
    expect(res.config.routes[0].path).toBe('/${PFX}')
    expect(res.config.logging.output).toBe('from-file')
    const bad = parse(text, {}, () => 'x')
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.issues[0]).toMatchObject({ path: 'admin.token', message: 'environment variable TOK is not set', line: 1 })
  })

  test('every problem is reported with its path, line and a did-you-mean for unknown keys', () => {
    const text = [
      'routes:',
      '  - id: a',
      '    path: /a',
      '    path_prefx: true',
      '    echo: true',
      '  - id: a',
      '    path: b',
      '    backends: [{ url: "ftp://x" }]',
      '    echo: true',
      '    timeout: 5 minutes',
      '    upstream: nope',
    ].join('\n')
    const res = parse(text)
    if (res.ok) throw new Error('should fail')
    const byPath = Object.fromEntries(res.issues.map((i) => [i.path, i]))
    expect(byPath['routes.0.path_prefx'].message).toContain('did you mean "path_prefix"?')
    expect(byPath['routes.0.path_prefx'].line).toBe(4)
    expect(byPath['routes.1.path'].message).toContain('must start with "/"')
    expect(byPath['routes.1.backends.0.url']).toBeDefined()
    expect(byPath['routes.1.timeout'].line).toBe(10)
    expect(byPath['routes.1'].message).toContain('exactly one target')
    expect(byPath['routes.1.id'].message).toContain('duplicate route id')
    expect(byPath['routes.1.upstream'].message).toContain('no upstream named "nope"')
    expect(formatIssues(res.issues)).toContain('f.yaml: routes.0.path_prefx: unknown key "path_prefx" (did you mean "path_prefix"?) (line 4)')
  })

  test('YAML syntax errors, empty files and non-mappings are reported', () => {
    const syntax = parse('routes: [\n  - a: b')
    expect(syntax.ok).toBe(false)
    if (!syntax.ok) expect(syntax.issues[0].line).toBeGreaterThan(0)
    expect(parse('')).toMatchObject({ ok: false, issues: [{ message: 'config is empty' }] })
    expect(parse('- a')).toMatchObject({ ok: false })
  })

  test('JSON input works, and a bad regex is refused', () => {
    expect(parse('{"routes":[{"id":"a","path":"/a","echo":true}]}').ok).toBe(true)
    const res = parse('routes: [{ id: a, path: /a, echo: true, rewrite: { regex: "(" } }]')
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.issues[0].path).toBe('routes.0.rewrite.regex')
  })
})

describe('schema and redaction', () => {
  test('the JSON Schema describes routes', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown> }
    expect(schema.properties.routes).toBeDefined()
    expect(schema.properties.listeners).toBeDefined()
  })

  test('redaction hides tokens, secrets and credential headers, nothing else', () => {
    const out = JSON.stringify(
      redactConfig({ admin: { token: 'T1' }, routes: [{ id: 'a', transform: { request: { headers: { set: { Authorization: 'Bearer S2', 'X-Plain': 'ok' } } } } }] }),
    )
    expect(out).not.toContain('T1')
    expect(out).not.toContain('S2')
    expect(out).toContain('ok')
  })
})
