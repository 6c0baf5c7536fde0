import { describe, expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import type { ConfigIssue } from '../../../src/config/types.ts'

const parse = (text: string) => parseConfig(text, 'f.yaml', { env: {} })
const byPath = (text: string): Record<string, ConfigIssue> => {
  const res = parse(text)
  if (res.ok) throw new Error('expected the config to be refused')
  return Object.fromEntries(res.issues.map((i) => [i.path, i]))
}

describe('every problem is reported at once, with path and line', () => {
  const text = [
    'listeners:', //                           1
    '  - address: "8080"', //                  2
    'routes:', //                              3
    '  - id: a', //                            4
    '    path: /a', //                         5
    '    path_prefx: true', //                 6
    '    echo: true', //                       7
    '  - id: a', //                            8
    '    path: b', //                          9
    '    backends:', //                        10
    '      - url: "ftp://x"', //               11
    '    timeout: 5 minutes', //               12
    '    upstream: nope', //                   13
    '    methods: ["GE T"]', //                14
  ].join('\n')

  test('paths, messages and lines', () => {
    const issues = byPath(text)
    expect(issues['listeners.0.address']).toMatchObject({ message: 'must be host:port, :port or [v6]:port', line: 2 })
    expect(issues['routes.0.path_prefx']).toMatchObject({ message: 'unknown key "path_prefx" (did you mean "path_prefix"?)', line: 6 })
    expect(issues['routes.1.id']).toMatchObject({ message: 'duplicate route id (also routes.0.id)', line: 8 })
    expect(issues['routes.1.path']).toMatchObject({ message: 'must start with "/"', line: 9 })
    expect(issues['routes.1.backends.0.url']).toMatchObject({ message: 'must be an absolute http(s) URL', line: 11 })
    expect(issues['routes.1.timeout'].message).toContain('"5 minutes" is not a duration')
    expect(issues['routes.1.timeout'].line).toBe(12)
    expect(issues['routes.1.upstream']).toMatchObject({ message: 'no upstream named "nope"', line: 13 })
    expect(issues['routes.1.methods.0']).toMatchObject({ message: 'is not an HTTP method', line: 14 })
    expect(issues['routes.1'].message).toContain('exactly one target')
    expect(issues['routes.1'].line).toBe(8)
    // Those and no others: one problem does not drag follow-up issues in.
    expect(Object.keys(issues).sort()).toEqual(
      [
        'listeners.0.address',
        'routes.0.path_prefx',
        'routes.1',
        'routes.1.backends.0.url',
        'routes.1.id',
        'routes.1.methods.0',
        'routes.1.path',
        'routes.1.timeout',
        'routes.1.upstream',
      ].sort(),
    )
  })

  test('formatIssues prints FILE: path: message (line N), one per line', () => {
    const res = parse(text)
    if (res.ok) throw new Error('expected failure')
    const out = formatIssues(res.issues).split('\n')
    expect(out).toHaveLength(res.issues.length)
    expect(out).toContain('f.yaml: routes.0.path_prefx: unknown key "path_prefx" (did you mean "path_prefix"?) (line 6)')
    expect(formatIssues([{ file: 'x.yaml', path: '', message: 'config is empty' }])).toBe('x.yaml: config is empty')
  })

  test('several unknown keys in one block are separate issues, each on its own line', () => {
    const issues = byPath('logging:\n  levle: info\n  formt: json\n  colour: true')
    expect(issues['logging.levle']).toMatchObject({ message: 'unknown key "levle" (did you mean "level"?)', line: 2 })
    expect(issues['logging.formt']).toMatchObject({ message: 'unknown key "formt" (did you mean "format"?)', line: 3 })
    expect(issues['logging.colour']).toMatchObject({ message: 'unknown key "colour"', line: 4 })
  })

  test('a bad key in a block mapping points at the key line, not the block below it', () => {
    const issues = byPath('upstreams:\n  pool:\n    backends:\n      - url: http://h:1\n    load_balancr:\n      x: 1')
    expect(issues['upstreams.pool.load_balancr']).toMatchObject({ line: 5, message: expect.stringContaining('did you mean "load_balancer"?') })
  })

  test('a missing required key is reported at the block that lacks it', () => {
    const issues = byPath('logging: { level: info }\nroutes:\n  - path: /a\n    echo: true')
    expect(issues['routes.0.id']).toMatchObject({ line: 3 })
  })
})

describe('input forms', () => {
  test('JSON is accepted, and its errors have lines too', () => {
    expect(parse('{"routes":[{"id":"a","path":"/a","echo":true}]}').ok).toBe(true)
    const issues = byPath('{\n  "routes": [\n    {"id": "a", "path": "/a", "echo": true,\n     "strip_prefx": true}\n  ]\n}')
    expect(issues['routes.0.strip_prefx']).toMatchObject({ line: 4, message: expect.stringContaining('did you mean "strip_prefix"?') })
  })

  test('YAML syntax errors carry their line', () => {
    const res = parse('routes:\n  - id: a\n    path: [/a\n')
    expect(res.ok).toBe(false)
    if (!res.ok) {
      expect(res.issues[0].message).toMatch(/^YAML: /)
      expect(res.issues[0].line).toBeGreaterThanOrEqual(3)
    }
    expect(parse('routes:\n\t- id: a')).toMatchObject({ ok: false, issues: [{ message: expect.stringMatching(/^YAML: .*[Tt]ab/), line: 2 }] })
  })

  test('duplicate keys are refused rather than the last one silently winning', () => {
    const res = parse('logging:\n  level: info\n  level: debug')
    expect(res).toMatchObject({ ok: false, issues: [{ line: 3 }] })
  })

  test('an empty file and a non-mapping are errors', () => {
    expect(parse('')).toEqual({ ok: false, issues: [{ file: 'f.yaml', path: '', message: 'config is empty' }] })
    expect(parse('# only a comment\n')).toMatchObject({ ok: false, issues: [{ message: 'config is empty' }] })
    expect(parse('- a\n- b')).toMatchObject({ ok: false, issues: [{ message: 'config must be a mapping of keys' }] })
  })

  test('a valid config has no issues and no warnings', () => {
    expect(parse('routes: [{ id: a, path: /a, echo: true }]')).toMatchObject({ ok: true, warnings: [] })
  })
})
