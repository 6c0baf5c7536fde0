// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text; ${…} is what is under test, not a template.
/**
 * A bare `${NAME}` in a plain scalar takes the type its value has under the YAML 1.2 core
 * schema, as Runway's text expansion gives it, while no value can add YAML structure.
 */
import { describe, expect, test } from 'vitest'
import { coreSchemaValue } from '../../../src/config/expand.ts'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import type { Config } from '../../../src/config/types.ts'

const parse = (text: string, env: Record<string, string>) => parseConfig(text, 'f.yaml', { env })
function valid(text: string, env: Record<string, string>): Config {
  const res = parse(text, env)
  if (!res.ok) throw new Error(formatIssues(res.issues))
  return res.config
}
function problems(text: string, env: Record<string, string>): string[] {
  const res = parse(text, env)
  return res.ok ? [] : res.issues.map((i) => `${i.path}: ${i.message}`)
}
const route = (key: string) => `routes:\n  - id: r\n    path: /r\n    echo: true\n    ${key}\n`

describe('YAML 1.2 core schema (§10.3.2)', () => {
  test('null, booleans, ints (decimal, 0o, 0x), floats, infinities and NaN; anything else is the text', () => {
    for (const t of ['~', 'null', 'Null', 'NULL']) expect(coreSchemaValue(t)).toBeNull()
    for (const t of ['true', 'True', 'TRUE']) expect(coreSchemaValue(t)).toBe(true)
    for (const t of ['false', 'False', 'FALSE']) expect(coreSchemaValue(t)).toBe(false)
    expect([coreSchemaValue('100'), coreSchemaValue('-7'), coreSchemaValue('+3'), coreSchemaValue('0o17'), coreSchemaValue('0x1F')]).toEqual([100, -7, 3, 15, 31])
    expect([coreSchemaValue('0.25'), coreSchemaValue('.5'), coreSchemaValue('1e3'), coreSchemaValue('-.inf')]).toEqual([0.25, 0.5, 1000, Number.NEGATIVE_INFINITY])
    expect(coreSchemaValue('.nan')).toBeNaN()
    // YAML 1.1 spellings are strings in 1.2, and so is every text that is not exactly a scalar form.
    for (const t of ['yes', 'on', 'NO', '0b101', '1_000', '10s', ' 100', '100 ', '1.2.3', 'nulls']) expect(coreSchemaValue(t)).toBe(t)
  })
})

describe('a bare ${NAME} in a plain scalar is typed as Runway types it', () => {
  test('a number: max_body_size: ${SIZE} with SIZE=100 is 100; admin.port too; several refs make one text', () => {
    expect(valid(route('max_body_size: ${SIZE}'), { SIZE: '100' }).routes[0].max_body_size).toBe(100)
    expect(valid(route('max_body_size: ${SIZE}'), { SIZE: '0x10' }).routes[0].max_body_size).toBe(16)
    expect(valid(route('max_body_size: ${A}${B}'), { A: '1', B: '0' }).routes[0].max_body_size).toBe(10)
    expect(valid('admin: { port: ${PORT} }\n', { PORT: '9091' }).admin.address).toBe('127.0.0.1:9091')
    expect(valid('tracing: { enabled: true, sample_rate: ${RATE} }\n', { RATE: '0.25' }).tracing?.sample_rate).toBe(0.25)
  })

  test('a boolean: path_prefix: ${PP}', () => {
    expect(valid(route('path_prefix: ${PP}'), { PP: 'true' }).routes[0].path_prefix).toBe(true)
    expect(valid(route('path_prefix: ${PP}'), { PP: 'False' }).routes[0].path_prefix).toBe(false)
  })

  test('a string stays a string: text around the ref, quotes, a tag, ${env:}/${file:} (resolved after parsing in Runway too)', () => {
    expect(valid(route('timeout: ${T}s'), { T: '5' }).routes[0].timeout).toBe(5000)
    expect(problems(route('max_body_size: "${SIZE}"'), { SIZE: '100' })).toEqual(['routes.0.max_body_size: Invalid input: expected number, received string'])
    expect(problems(route("max_body_size: '${SIZE}'"), { SIZE: '100' })).toHaveLength(1)
    expect(problems(route('max_body_size: !!str ${SIZE}'), { SIZE: '100' })).toHaveLength(1)
    expect(problems(route('max_body_size: ${env:SIZE}'), { SIZE: '100' })).toHaveLength(1)
  })

  test('a string key takes the text of a typed value, as a Go YAML decoder does', () => {
    expect(valid('admin: { token: ${TOKEN} }\n', { TOKEN: '12345' }).admin.token).toBe('12345')
    expect(valid('admin: { token: ${TOKEN} }\n', { TOKEN: 'true' }).admin.token).toBe('true')
    expect(valid('routes:\n  - id: ${ID}\n    path: /r\n    echo: true\n', { ID: '42' }).routes[0].id).toBe('42')
  })

  test('an unset ${NAME} is kept as text (with its warning); an empty value is the empty string', () => {
    const res = parse(route('max_body_size: ${NOPE}'), {})
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.issues[0]).toMatchObject({ path: 'routes.0.max_body_size', message: 'Invalid input: expected number, received string' })
    expect(valid('admin: { token: ${EMPTY} }\n', { EMPTY: '' }).admin.token).toBe('')
  })
})

describe('no value can add YAML structure', () => {
  const injections = [
    'x\n  admin: { enabled: false }',
    'x\nroutes: []',
    'enabled: false',
    'a: b',
    '[1, 2]',
    '{ enabled: false }',
    '- item',
    '*anchor',
    '&a x',
    '"quoted"',
    'x # comment',
    '---\nroutes: []',
    '|\n  block',
  ]

  test('each injection is one string, exactly the value, and the config around it is unchanged', () => {
    for (const value of injections) {
      const config = valid('admin: { token: ${TOKEN} }\nroutes: [{ id: r, path: /r, echo: true }]\n', { TOKEN: value })
      expect(config.admin.token, JSON.stringify(value)).toBe(value)
      expect(config.admin.enabled).toBe(true)
      expect(config.routes.map((r) => r.id)).toEqual(['r'])
    }
  })

  test('in a number key a value that is not exactly a number is refused, not cut at a comment or a newline', () => {
    for (const value of ['100 # c', '100\nadmin: { enabled: false }', '[100]', '100, 200']) {
      expect(problems(route('max_body_size: ${SIZE}'), { SIZE: value }), JSON.stringify(value)).toEqual([
        'routes.0.max_body_size: Invalid input: expected number, received string',
      ])
    }
  })

  test('in a flow list (it parses: Runway expands before parsing) the value is one item', () => {
    const config = valid(route('match: { domains: [${D}] }'), { D: 'a.example, b.example' })
    expect(config.routes[0].match.domains).toEqual(['a.example, b.example'])
    expect(problems(route('methods: [${M}]'), { M: 'GET, POST' })).toEqual(['routes.0.methods.0: is not an HTTP method'])
  })

  test('a reference inside a flow mapping parses, and its line is kept for errors', () => {
    const yaml = 'listeners: [{ id: l, address: ":8080" }]\nroutes:\n  - { id: r, path: /r, backends: [{ url: ${API_URL} }] }\n'
    expect(valid(yaml, { API_URL: 'http://api.test:9000' }).routes[0].backends?.[0].url).toBe('http://api.test:9000')
    const res = parse(yaml, { API_URL: 'not a url' })
    expect(res.ok ? [] : res.issues).toEqual([{ file: 'f.yaml', path: 'routes.0.backends.0.url', message: 'must be an absolute http(s) URL', line: 3 }])
  })

  test('keys are never expanded, and keep their text', () => {
    const res = parse('routes: []\n${K}: 1\n', { K: 'admin' })
    expect(res.ok ? [] : res.issues.map((i) => i.path)).toEqual(['${K}'])
  })
})
