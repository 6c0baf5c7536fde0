// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text; ${…} is what is under test, not a template.
import { describe, expect, test } from 'vitest'
import { inactiveKeysOf } from '../../../src/gateway/gateway.ts'
import { formatIssues } from '../../../src/config/issues.ts'
import { configJsonSchema } from '../../../src/config/json-schema.ts'
import { type ParseResult, parseConfig } from '../../../src/config/load.ts'
import { redactConfig } from '../../../src/config/redact.ts'
import type { Config, ConfigIssue } from '../../../src/config/types.ts'
import type { ExpandOptions } from '../../../src/config/expand.ts'

// Verbatim from the Runway README (seed 000_1f8d70524bbacb0f.txt), "Minimal Configuration".
const RUNWAY_MINIMAL = `listeners:
  - address: ":8080"
    protocol: http

routes:
  - id: my-api
    path: /api/
    path_prefix: true
    backends:
      - url: http://localhost:9001
`

// Verbatim from the Runway README (seed 000_1f8d70524bbacb0f.txt), "Configuration Example".
const RUNWAY_EXAMPLE = `listeners:
  - address: ":8080"
    protocol: http
    http:
      read_timeout: 30s
      write_timeout: 30s

registry:
  type: consul
  consul:
    address: "localhost:8500"

authentication:
  jwt:
    enabled: true
    secret: "\${JWT_SECRET}"
    issuer: "https://auth.example.com"

routes:
  - id: users-api
    path: /api/v1/users
    path_prefix: true
    service:
      name: users-service
      tags: [production]
    auth:
      required: true
      methods: [jwt]
    rate_limit:
      rate: 100
      period: 1m
      burst: 10
    retry_policy:
      max_retries: 2
      budget:
        ratio: 0.1
    circuit_breaker:
      max_requests: 5
      timeout: 30s
      failure_threshold: 3
    cache:
      enabled: true
      ttl: 60s
    timeout_policy:
      request: 30s
      backend: 10s
    transform:
      request:
        headers:
          add:
            X-Request-ID: "$request_id"
            X-Forwarded-For: "$remote_addr"
`

const lines = (...l: string[]) => l.join('\n')

function parse(text: string, opts: Partial<ExpandOptions> = {}): ParseResult {
  return parseConfig(text, 'f.yaml', { env: {}, ...opts })
}
function ok(text: string, opts: Partial<ExpandOptions> = {}): Config {
  const res = parse(text, opts)
  if (!res.ok) throw new Error(`expected a valid config, got:\n${formatIssues(res.issues)}`)
  return res.config
}
function issues(text: string, opts: Partial<ExpandOptions> = {}): ConfigIssue[] {
  const res = parse(text, opts)
  if (res.ok) throw new Error('expected the config to be refused')
  return res.issues
}
function byPath(text: string, opts: Partial<ExpandOptions> = {}): Record<string, ConfigIssue> {
  return Object.fromEntries(issues(text, opts).map((i) => [i.path, i]))
}

describe('the Runway README examples', () => {
  test('Minimal Configuration validates', () => {
    const c = ok(RUNWAY_MINIMAL)
    expect(c.listeners).toHaveLength(1)
    expect(c.listeners[0]).toMatchObject({ id: 'listener-0', address: ':8080', protocol: 'http' })
    expect(c.routes).toHaveLength(1)
    expect(c.routes[0]).toMatchObject({ id: 'my-api', path: '/api/', path_prefix: true, backends: [{ url: 'http://localhost:9001', weight: 1 }] })
    expect(inactiveKeysOf(c)).toEqual([])
  })

  test('Configuration Example validates, with durations in ms', () => {
    const c = ok(RUNWAY_EXAMPLE)
    expect(c.listeners[0].http).toMatchObject({ read_timeout: 30_000, write_timeout: 30_000 })
    const r = c.routes[0]
    expect(r.id).toBe('users-api')
    expect(r.timeout_policy).toEqual({ request: 30_000, backend: 10_000 })
    expect(r.circuit_breaker).toMatchObject({ max_requests: 5, timeout: 30_000, failure_threshold: 3 })
    expect(r.retry_policy).toMatchObject({ max_retries: 2, budget: { ratio: 0.1 } })
    // Runway's `$request_id` variables have no braces and are left alone.
    expect(r.transform?.request?.headers.add).toEqual({ 'X-Request-ID': '$request_id', 'X-Forwarded-For': '$remote_addr' })
    // `${JWT_SECRET}` unset: left as is, not an error.
    expect((c.authentication as { jwt: { secret: string } }).jwt.secret).toBe('${JWT_SECRET}')
  })

  test('Configuration Example: inactive features are all listed', () => {
    const inactive = inactiveKeysOf(ok(RUNWAY_EXAMPLE))
    expect(inactive).toContain('registry')
    expect(inactive.some((k) => k === 'authentication' || k.startsWith('authentication.'))).toBe(false)
    expect(inactive).not.toContain('routes.users-api.rate_limit')
    expect(inactive).toContain('routes.users-api.cache')
    expect(inactive).toContain('routes.users-api.service')
    expect(inactive).toContain('listeners.0.http.write_timeout')
    // Active features are not listed.
    for (const active of ['retry_policy', 'circuit_breaker', 'timeout_policy', 'transform', 'path_prefix']) {
      expect(inactive).not.toContain(`routes.users-api.${active}`)
    }
    expect(inactive).not.toContain('listeners')
    expect(inactive).not.toContain('routes')
  })

  test('`${JWT_SECRET}` is expanded when the variable is set', () => {
    const c = ok(RUNWAY_EXAMPLE, { env: { JWT_SECRET: 's3cret' } })
    expect((c.authentication as { jwt: { secret: string } }).jwt.secret).toBe('s3cret')
  })
})

describe('durations', () => {
  const withTimeout = (t: string) => `routes:\n  - id: a\n    path: /a\n    echo: true\n    timeout: ${t}\n`

  test('Go-style durations become milliseconds', () => {
    expect(ok(withTimeout('1h30m')).routes[0].timeout).toBe(5_400_000)
    expect(ok(withTimeout('250ms')).routes[0].timeout).toBe(250)
    expect(ok(withTimeout('30s')).routes[0].timeout).toBe(30_000)
    expect(ok(withTimeout('5m')).routes[0].timeout).toBe(300_000)
    expect(ok(withTimeout('1.5s')).routes[0].timeout).toBe(1500)
    expect(ok(withTimeout('"0"')).routes[0].timeout).toBe(0)
  })

  test('a bare number string or a unitless value is refused with a hint', () => {
    const i = byPath(withTimeout('"30"'))
    expect(i['routes.0.timeout'].message).toContain('a unit is required')
    expect(i['routes.0.timeout'].line).toBe(5)
    expect(byPath(withTimeout('5 minutes'))['routes.0.timeout'].message).toContain('"5 minutes" is not a duration')
    expect(byPath(withTimeout('-1s'))['routes.0.timeout'].message).toContain('negative')
  })
})

describe('references in values', () => {
  const tokenConfig = (v: string) => `admin:\n  token: "${v}"\n`

  test('${env:X} is expanded', () => {
    expect(ok(tokenConfig('${env:TOK}'), { env: { TOK: 'abc' } }).admin.token).toBe('abc')
    expect(ok(tokenConfig('Bearer ${env:TOK}!'), { env: { TOK: 'abc' } }).admin.token).toBe('Bearer abc!')
  })

  test('${env:X} unset is an issue at the path and line of the value', () => {
    const text = lines('logging:', '  level: info', 'admin:', '  token: "${env:MISSING_TOKEN}"')
    const list = issues(text)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ file: 'f.yaml', path: 'admin.token', line: 4 })
    expect(list[0].message).toContain('MISSING_TOKEN')
    expect(list[0].message).toContain('not set')
  })

  test('${env:X} unset inside an array reports the index path', () => {
    const text = lines('routes:', '  - id: a', '    path: /a', '    echo: true', '    methods: ["${env:M}"]')
    expect(byPath(text)['routes.0.methods.0']).toMatchObject({ line: 5 })
  })

  test('${X} unset is left as is; set, it is expanded', () => {
    expect(ok(tokenConfig('${PLAIN}')).admin.token).toBe('${PLAIN}')
    expect(ok(tokenConfig('${PLAIN}'), { env: { PLAIN: 'v' } }).admin.token).toBe('v')
  })

  test('${file:/p} reads through readFile, trailing whitespace trimmed', () => {
    const read: string[] = []
    const readFile = (p: string) => {
      read.push(p)
      return '  s3cret value \n\n\t '
    }
    expect(ok(tokenConfig('${file:/run/secrets/token}'), { readFile }).admin.token).toBe('  s3cret value')
    expect(read).toEqual(['/run/secrets/token'])
  })

  test('${file:/p} that cannot be read, or without readFile, is an issue', () => {
    const readFile = () => {
      throw new Error('ENOENT: no such file')
    }
    const i = byPath(tokenConfig('${file:/nope}'), { readFile })['admin.token']
    expect(i.message).toContain('ENOENT')
    expect(i.line).toBe(2)
    expect(byPath(tokenConfig('${file:/nope}'))['admin.token'].message).toContain('cannot be read')
  })

  test('an expanded value cannot inject YAML structure', () => {
    const c = ok(tokenConfig('${env:T}'), { env: { T: 'x\nlogging:\n  level: debug' } })
    expect(c.admin.token).toBe('x\nlogging:\n  level: debug')
    expect(c.logging.level).toBe('info')
  })
})

describe('validation issues', () => {
  test('unknown key: issue at the key, with a "did you mean" hint and its line', () => {
    const text = lines('routes:', '  - id: a', '    path: /a', '    path_prefx: true', '    echo: true')
    const list = issues(text)
    expect(list).toHaveLength(1)
    expect(list[0].path).toBe('routes.0.path_prefx')
    expect(list[0].message).toContain('did you mean "path_prefix"')
    expect(list[0].line).toBe(4)
  })

  test('several problems are reported at once, each with its path and line', () => {
    const text = lines(
      'listeners:', //                       1
      '  - address: "nope"', //              2
      'upstreams:', //                       3
      '  pool:', //                          4
      '    backends:', //                    5
      '      - url: http://127.0.0.1:1', //  6
      'routes:', //                          7
      '  - id: a', //                        8
      '    path: a', //                      9
      '    echo: true', //                   10
      '    timeout: soon', //                11
      '  - id: b', //                        12
      '    path: /b', //                     13
      '    upstream: pool', //               14
      '    methods: ["G T"]', //             15
      '    retry_policy:', //                16
      '      max_retries: 99', //            17
    )
    const i = byPath(text)
    expect(Object.keys(i).sort()).toEqual(
      ['listeners.0.address', 'routes.0.path', 'routes.0.timeout', 'routes.1.methods.0', 'routes.1.retry_policy.max_retries'].sort(),
    )
    expect(i['listeners.0.address'].line).toBe(2)
    expect(i['routes.0.path']).toMatchObject({ message: 'must start with "/"', line: 9 })
    expect(i['routes.0.timeout'].line).toBe(11)
    expect(i['routes.1.methods.0']).toMatchObject({ message: 'is not an HTTP method', line: 15 })
    expect(i['routes.1.retry_policy.max_retries'].line).toBe(17)
  })

  test('YAML syntax error has a line', () => {
    const list = issues(lines('routes:', '  - id: a', '    path: /a', '    echo: true', '  bad: [unclosed', 'logging: {}'))
    expect(list.length).toBeGreaterThan(0)
    expect(list[0].message).toMatch(/^YAML: /)
    expect(list[0].line).toBeTypeOf('number')
    expect(list[0].line).toBeGreaterThanOrEqual(5)
    const tab = issues('routes:\n\t- id: a')
    expect(tab[0].line).toBeTypeOf('number')
  })

  test('duplicate route id', () => {
    const text = lines('routes:', '  - id: a', '    path: /a', '    echo: true', '  - id: a', '    path: /b', '    echo: true')
    const list = issues(text)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ path: 'routes.1.id', line: 5 })
    expect(list[0].message).toContain('duplicate route id')
    expect(list[0].message).toContain('routes.0.id')
  })

  test('route with two targets (or none)', () => {
    const two = lines('routes:', '  - id: a', '    path: /a', '    echo: true', '    backends:', '      - url: http://127.0.0.1:1')
    const i = issues(two)
    expect(i).toHaveLength(1)
    expect(i[0]).toMatchObject({ path: 'routes.0', line: 2 })
    expect(i[0].message).toContain('exactly one target')
    const none = issues(lines('routes:', '  - id: a', '    path: /a'))
    expect(none[0]).toMatchObject({ path: 'routes.0' })
    expect(none[0].message).toContain('exactly one target')
    // echo: false does not count as a target
    expect(issues(lines('routes:', '  - id: a', '    path: /a', '    echo: false'))[0].message).toContain('exactly one target')
    expect(ok(lines('routes:', '  - id: a', '    path: /a', '    echo: false', '    backends: [{url: "http://h:1"}]')).routes[0].echo).toBe(false)
  })

  test('upstream naming a missing pool', () => {
    const text = lines(
      'upstreams:',
      '  users-pool:',
      '    backends: [{ url: "http://127.0.0.1:9001" }]',
      'routes:',
      '  - id: a',
      '    path: /a',
      '    upstream: user-pool',
    )
    const list = issues(text)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ path: 'routes.0.upstream', line: 7 })
    expect(list[0].message).toContain('no upstream named "user-pool"')
    expect(list[0].message).toContain('users-pool')
    const good = text.replace('user-pool', 'users-pool')
    expect(ok(good).routes[0].upstream).toBe('users-pool')
  })

  test('bad regex in rewrite', () => {
    const text = lines('routes:', '  - id: a', '    path: /a', '    echo: true', '    rewrite:', '      regex: "([a-z"', '      replacement: x')
    const list = issues(text)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ path: 'routes.0.rewrite.regex', message: 'is not a valid regular expression', line: 6 })
    expect(ok(text.replace('([a-z', '^/a/(.*)')).routes[0].rewrite?.regex).toBe('^/a/(.*)')
  })

  test('bad regex in a match condition', () => {
    const text = lines('routes:', '  - id: a', '    path: /a', '    echo: true', '    match:', '      headers:', '        - { name: X, regex: "+" }')
    expect(byPath(text)['routes.0.match.headers.0.regex']).toMatchObject({ message: 'is not a valid regular expression', line: 7 })
  })

  test('JSON input works, with lines for its issues', () => {
    const c = ok('{"listeners":[{"address":":8080"}],"routes":[{"id":"a","path":"/a","path_prefix":true,"timeout":"250ms","echo":true}]}')
    expect(c.routes[0]).toMatchObject({ id: 'a', path_prefix: true, timeout: 250, echo: true })
    const i = byPath('{\n  "routes": [\n    {"id": "a",\n     "path": "/a",\n     "echo": true,\n     "stip_prefix": true}\n  ]\n}')
    expect(i['routes.0.stip_prefix']).toMatchObject({ line: 6 })
    expect(i['routes.0.stip_prefix'].message).toContain('did you mean "strip_prefix"')
  })

  test('an empty file is an error', () => {
    expect(parse('')).toEqual({ ok: false, issues: [{ file: 'f.yaml', path: '', message: 'config is empty' }] })
    expect(parse('\n\n# nothing\n')).toMatchObject({ ok: false, issues: [{ path: '', message: 'config is empty' }] })
    expect(parse('just a string')).toMatchObject({ ok: false, issues: [{ message: 'config must be a mapping of keys' }] })
  })

  test('defaults are applied', () => {
    const c = ok('routes: [{ id: a, path: /a, echo: true }]')
    expect(c.admin).toMatchObject({ enabled: true, path_prefix: '/__portico', address: '127.0.0.1:8081' })
    expect(c.store.type).toBe('memory')
    expect(c.logging).toEqual({ level: 'info', output: 'stdout', format: 'json', access_log: true })
    expect(c.routes[0]).toMatchObject({ methods: [], path_prefix: false, strip_prefix: false, match: { domains: [], headers: [], query: [], cookies: [] } })
    expect(ok('routes: [{ id: a, path: /a, echo: true, methods: [get, Post] }]').routes[0].methods).toEqual(['GET', 'POST'])
  })
})

describe('formatIssues', () => {
  test('FILE: path: message (line N)', () => {
    const list = issues(lines('routes:', '  - id: a', '    path: a', '    echo: true'))
    expect(formatIssues(list)).toBe('f.yaml: routes.0.path: must start with "/" (line 3)')
  })

  test('one line per issue; no path and no line are left out', () => {
    const list = issues(lines('routes:', '  - id: a', '    path: a', '    echo: true', '  - id: a', '    path: /b', '    echo: true'))
    const out = formatIssues(list).split('\n')
    expect(out).toHaveLength(2)
    expect(out).toContain('f.yaml: routes.0.path: must start with "/" (line 3)')
    expect(out).toContain('f.yaml: routes.1.id: duplicate route id (also routes.0.id) (line 5)')
    expect(formatIssues([{ file: 'x.yaml', path: '', message: 'config is empty' }])).toBe('x.yaml: config is empty')
  })
})

describe('configJsonSchema', () => {
  test('describes the top level, routes included', () => {
    const schema = configJsonSchema()
    const props = schema.properties as Record<string, unknown>
    expect(props).toBeDefined()
    expect(props.routes).toBeDefined()
    expect(props.listeners).toBeDefined()
    expect(props.upstreams).toBeDefined()
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema)
  })
})

describe('redactConfig', () => {
  const text = lines(
    'admin:',
    '  token: "${env:ADMIN_TOKEN}"',
    'routes:',
    '  - id: a',
    '    path: /a',
    '    backends: [{ url: "http://user:pw@127.0.0.1:9001" }]',
    '    transform:',
    '      request:',
    '        headers:',
    '          set:',
    '            Authorization: "Bearer upstream-secret"',
    '            X-Plain: "visible"',
    '          add:',
    '            X-Request-ID: "$request_id"',
  )

  test('hides admin.token and a transform Authorization header, keeps the rest', () => {
    const c = ok(text, { env: { ADMIN_TOKEN: 'admin-secret' } })
    expect(c.admin.token).toBe('admin-secret')
    const red = redactConfig(c) as Config
    expect(red.admin.token).toBe('[redacted]')
    const headers = red.routes[0].transform?.request?.headers
    expect(headers?.set.Authorization).toBe('[redacted]')
    expect(headers?.set['X-Plain']).toBe('visible')
    expect(headers?.add['X-Request-ID']).toBe('$request_id')
    expect(red.routes[0].backends?.[0].url).toBe('http://[redacted]@127.0.0.1:9001')
    expect(JSON.stringify(red)).not.toContain('admin-secret')
    expect(JSON.stringify(red)).not.toContain('upstream-secret')
    expect(JSON.stringify(red)).not.toContain('pw@')
  })

  test('is a copy: the original config is untouched', () => {
    const c = ok(text, { env: { ADMIN_TOKEN: 'admin-secret' } })
    redactConfig(c)
    expect(c.admin.token).toBe('admin-secret')
    expect(c.routes[0].transform?.request?.headers.set.Authorization).toBe('Bearer upstream-secret')
  })

  test('Runway example: the JWT secret is hidden once expanded', () => {
    const c = ok(RUNWAY_EXAMPLE, { env: { JWT_SECRET: 'jwt-secret-value' } })
    expect(JSON.stringify(redactConfig(c))).not.toContain('jwt-secret-value')
  })
})
