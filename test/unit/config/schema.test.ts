import { describe, expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { configJsonSchema } from '../../../src/config/json-schema.ts'
import { parseConfig } from '../../../src/config/load.ts'
import type { Config } from '../../../src/config/types.ts'

const parse = (text: string) => parseConfig(text, 'f.yaml', { env: {} })
const valid = (text: string): Config => {
  const res = parse(text)
  if (!res.ok) throw new Error(formatIssues(res.issues))
  return res.config
}
/** path → message for a config that must be refused. */
const refused = (text: string): Record<string, string> => {
  const res = parse(text)
  if (res.ok) throw new Error('expected the config to be refused')
  return Object.fromEntries(res.issues.map((i) => [i.path, i.message]))
}
const echo = (extra: string) => `routes: [{ id: r, path: /r, echo: true, ${extra} }]`

describe('defaults', () => {
  test('a config with one route gets every documented default', () => {
    const c = valid('routes: [{ id: a, path: /a, echo: true }]')
    expect(c.listeners).toEqual([])
    expect(c.admin).toEqual({
      enabled: true,
      address: '127.0.0.1:8081',
      path_prefix: '/__portico',
      metrics: { enabled: true, path: '/metrics' },
      readiness: { min_healthy_backends: 1, require_redis: false },
    })
    expect(c.store).toEqual({ type: 'memory', timeout: 250, failure_policy: 'fail_open', key_prefix: 'portico:', max_keys: 100_000, shards: 16 })
    expect(c.upstreams).toEqual({})
    expect(c.trusted_proxies).toEqual({ cidrs: [], headers: ['X-Forwarded-For', 'X-Real-IP'], max_hops: 0 })
    expect(c.logging).toEqual({ level: 'info', output: 'stdout', format: 'json', access_log: true })
    expect(c.routes[0]).toEqual({
      id: 'a',
      path: '/a',
      path_prefix: false,
      methods: [],
      match: { domains: [], headers: [], query: [], cookies: [] },
      echo: true,
      strip_prefix: false,
    })
  })

  test('listeners get an id, protocol http and an http block; admin.port sets the address unless address is given', () => {
    const c = valid('listeners: [{ address: ":8080" }, { id: b, address: "[::1]:9" }]\nadmin: { port: 9901 }')
    expect(c.listeners).toEqual([
      { id: 'listener-0', address: ':8080', protocol: 'http', http: {} },
      { id: 'b', address: '[::1]:9', protocol: 'http', http: {} },
    ])
    expect(c.admin.address).toBe('127.0.0.1:9901')
    expect(valid('admin: { port: 9901, address: "0.0.0.0:7000" }').admin.address).toBe('0.0.0.0:7000')
  })

  test('durations become milliseconds; transforms get empty add/set/remove', () => {
    const r = valid(echo('timeout: 1h30m, timeout_policy: { backend: 250ms, idle: 0 }, transform: { request: { headers: { add: { X-A: "1" } } } }')).routes[0]
    expect(r.timeout).toBe(5_400_000)
    expect(r.timeout_policy).toEqual({ backend: 250, idle: 0 })
    expect(r.transform).toEqual({ request: { headers: { add: { 'X-A': '1' }, set: {}, remove: [] } } })
  })
})

describe('routes', () => {
  test('methods are upper-cased; a non-token method is refused', () => {
    expect(valid(echo('methods: [get, Post, GET]')).routes[0].methods).toEqual(['GET', 'POST', 'GET'])
    expect(refused(echo('methods: ["GET/1"]'))['routes.0.methods.0']).toBe('is not an HTTP method')
  })

  test('each matcher needs exactly one of value | present | regex, and a regex must compile', () => {
    expect(valid(echo('match: { headers: [{ name: X-V, value: "2" }], query: [{ name: d, present: true }], cookies: [{ name: b, regex: "^on$" }] }')).routes[0].match.cookies).toEqual([{ name: 'b', regex: '^on$' }])
    const p = refused(echo('match: { headers: [{ name: X-V }, { name: X-W, value: "1", present: true }], cookies: [{ name: c, regex: "(" }] }'))
    expect(p['routes.0.match.headers.0']).toBe('needs exactly one of value, present, regex')
    expect(p['routes.0.match.headers.1']).toBe('needs exactly one of value, present, regex')
    expect(p['routes.0.match.cookies.0.regex']).toBe('is not a valid regular expression')
    expect(refused(echo('rewrite: { regex: "[a-" }'))['routes.0.rewrite.regex']).toBe('is not a valid regular expression')
    expect(valid(echo('rewrite: { regex: "^/r/(.*)", replacement: x }')).routes[0].rewrite?.regex).toBe('^/r/(.*)')
  })

  test('exactly one target: none or two are refused', () => {
    expect(refused('routes: [{ id: a, path: /a }]')['routes.0']).toContain('needs exactly one target')
    expect(refused('routes: [{ id: a, path: /a, echo: true, backends: [{ url: "http://h:1" }] }]')['routes.0']).toContain('needs exactly one target')
    expect(refused('routes: [{ id: a, path: /a, echo: false }]')['routes.0']).toContain('needs exactly one target')
    // echo: false is no target, so it sits beside one without a conflict.
    expect(valid('routes: [{ id: a, path: /a, echo: false, backends: [{ url: "http://h:1" }] }]').routes[0].echo).toBe(false)
  })

  test('a duplicate route id is one issue, at the second id, naming the first', () => {
    const res = parse('routes:\n  - id: a\n    path: /a\n    echo: true\n  - id: a\n    path: /b\n    echo: true')
    if (res.ok) throw new Error('expected the config to be refused')
    expect(res.issues).toEqual([{ file: 'f.yaml', path: 'routes.1.id', message: 'duplicate route id (also routes.0.id)', line: 5 }])
  })

  test('backend URLs: absolute http(s), a base path allowed, no query or fragment; weight defaults to 1', () => {
    const r = valid('routes: [{ id: a, path: /a, backends: [{ url: "http://h:1/base" }, { url: "https://h", weight: 3 }] }]').routes[0]
    expect(r.backends).toEqual([{ url: 'http://h:1/base', weight: 1 }, { url: 'https://h', weight: 3 }])
    const p = refused('routes: [{ id: a, path: /a, backends: [{ url: "/rel" }, { url: "http://h/?q=1" }, { url: "http://h/#f" }, { url: "http://h", weight: 0 }, { url: "ws://h" }] }]')
    expect(p['routes.0.backends.0.url']).toBe('must be an absolute http(s) URL')
    expect(p['routes.0.backends.1.url']).toBe('must not have a query or fragment')
    expect(p['routes.0.backends.2.url']).toBe('must not have a query or fragment')
    expect(p['routes.0.backends.3.weight']).toBeDefined()
    expect(p['routes.0.backends.4.url']).toBe('must be an absolute http(s) URL')
  })

  test('upstream must name a key of upstreams; every load balancer name is accepted', () => {
    const lbs = ['round_robin', 'least_conn', 'least_response_time', 'consistent_hash', 'random', 'p2c', 'ip_hash', 'maglev']
    const pools = lbs.map((lb) => `  ${lb}: { backends: [{ url: "http://h:1" }], load_balancer: ${lb} }`).join('\n')
    const c = valid(`upstreams:\n${pools}\nroutes: [{ id: a, path: /a, upstream: maglev }]`)
    expect(Object.values(c.upstreams).map((u) => u.load_balancer)).toEqual(lbs)
    expect(refused('upstreams: { pool: { backends: [{ url: "http://h:1" }] } }\nroutes: [{ id: a, path: /a, upstream: pol }]')['routes.0.upstream']).toBe('no upstream named "pol" (known: pool)')
    expect(refused('upstreams: { p: { backends: [{ url: "http://h:1" }], load_balancer: fastest } }')['upstreams.p.load_balancer']).toBeDefined()
  })

  test('listener addresses must be host:port, :port or [v6]:port', () => {
    for (const ok of [':8080', '127.0.0.1:0', 'localhost:80', '[::]:443']) expect(valid(`listeners: [{ address: "${ok}" }]`).listeners[0].address).toBe(ok)
    for (const bad of ['8080', 'localhost', '::1:80', 'h:port']) expect(refused(`listeners: [{ address: "${bad}" }]`)['listeners.0.address']).toBeDefined()
  })

  test('retry_policy.max_retries is at most 10', () => {
    expect(valid(echo('retry_policy: { max_retries: 10 }')).routes[0].retry_policy?.max_retries).toBe(10)
    expect(refused(echo('retry_policy: { max_retries: 99 }'))['routes.0.retry_policy.max_retries']).toBeDefined()
  })

  test('max_body_size must be a positive integer', () => {
    expect(refused(echo('max_body_size: 0'))['routes.0.max_body_size']).toBeDefined()
    expect(refused(echo('max_body_size: 1.5'))['routes.0.max_body_size']).toBeDefined()
  })
})

describe('keys whose features arrive later', () => {
  test('are accepted with their documented keys', () => {
    const c = valid(
      [
        'authentication: { jwt: { secret: s, algorithm: [HS256, RS256], clock_skew: 30s }, api_key: { keys: [{ key: k1, client_id: acme }] } }',
        'tracing: { enabled: true, sample_rate: 0.5 }',
        'shutdown: { timeout: 30s }',
        'redis: { address: "127.0.0.1:6379", db: 0 }',
        'tcp_routes: [{ id: t, match: { sni: [a.example] }, backends: [{ url: "tcp://127.0.0.1:9100" }] }]',
        'registry: { type: consul, consul: { address: "localhost:8500" } }',
        'routes: [{ id: r, path: /r, echo: true, rate_limit: { rate: 100, period: 1m, key: "header:X-User" }, auth: { methods: [jwt] }, cache: { ttl: 60s } }, { id: q, path: /q, ai: { enabled: true, provider: openai, model: gpt-4o } }]',
      ].join('\n'),
    )
    expect(c.shutdown).toEqual({ timeout: 30_000 })
    expect(c.routes[0].rate_limit).toMatchObject({ rate: 100, period: 60_000, key: 'header:X-User' })
  })

  test('still catch typos and bad values inside them', () => {
    const p = refused(
      [
        'authentication: { jwt: { secert: s } }',
        'tracing: { sample_rate: 2 }',
        'routes: [{ id: r, path: /r, echo: true, rate_limit: { rate: 1, key: user }, cache: { ttl: soon }, auth: { methods: [saml] } }]',
      ].join('\n'),
    )
    expect(p['authentication.jwt.secert']).toBe('unknown key "secert" (did you mean "secret"?)')
    expect(p['tracing.sample_rate']).toBeDefined()
    expect(p['routes.0.rate_limit.key']).toContain('must be ip, client_id')
    expect(p['routes.0.cache.ttl']).toContain('is not a duration')
    expect(p['routes.0.auth.methods.0']).toBeDefined()
  })

  test('an unknown top-level key is an error with a hint', () => {
    expect(refused('routs: []').routs).toBe('unknown key "routs" (did you mean "routes"?)')
    expect(refused('authentification: {}').authentification).toContain('did you mean "authentication"?')
  })
})

test('the JSON Schema describes the config as written (durations are strings)', () => {
  const schema = configJsonSchema() as { properties: Record<string, { items?: { properties?: Record<string, unknown> } }> }
  expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['listeners', 'admin', 'routes', 'upstreams', 'authentication', 'registry']))
  const route = schema.properties.routes.items?.properties ?? {}
  expect(Object.keys(route)).toEqual(expect.arrayContaining(['id', 'path', 'backends', 'upstream', 'echo', 'rate_limit']))
  expect(JSON.stringify(route.timeout)).toContain('"string"')
  expect(JSON.stringify(schema)).toContain('"additionalProperties":false')
  // Plain JSON: `portico schema` prints it with JSON.stringify, so nothing may be lost on the way.
  expect(JSON.parse(JSON.stringify(schema))).toEqual(schema)
})
