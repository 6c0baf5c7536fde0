/**
 * `portico convert --from gateway-pro`: the README's example converts to the config below and
 * validates; each gateway-pro setting maps as documented, or leaves a note saying why not.
 * Behaviour of converted configs is checked in process (test/helpers/gateway-request.ts).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ConvertError } from '../../../src/convert/converters.ts'
import { testGateway } from '../../helpers/gateway-request.ts'
import { convert, noteAt, root, validate } from './convert-helpers.ts'

const README = readFileSync(join(root, 'test/fixtures/seed-configs/gateway-pro-readme.yaml'), 'utf8')
const gp = (text: string) => convert('gateway-pro', text)
const route = (body: string) => gp(`routes:\n  - path_prefix: /api\n    backends: [{ url: "http://up.test:8080" }]\n${body}`)

describe('the README example', () => {
  test('converts to the equivalent Portico config, which validates', () => {
    const c = gp(README)
    expect(c.out).toEqual({
      listeners: [{ id: 'http', address: ':8080', http: { read_timeout: '30s', write_timeout: '30s' } }],
      admin: { address: ':9090' },
      logging: { level: 'info' },
      routes: [
        {
          id: 'api-users',
          path: '/api/users',
          path_prefix: true,
          load_balancer: 'round_robin',
          timeout: '10s',
          strip_prefix: false,
          backends: [{ url: 'http://user-svc-1:8080' }, { url: 'http://user-svc-2:8080' }],
          rate_limit: { algorithm: 'token_bucket', rate: 500, period: '1s', burst: 1000, key: 'ip' },
          circuit_breaker: { error_rate_threshold: 0.5, min_requests: 20, failure_threshold: 20, timeout: '30s', max_requests: 5 },
        },
      ],
    })
    expect(validate(c.yaml, 'gateway-pro-readme.yaml')).toEqual([])
  })

  test('says which settings did not map, on stderr lines and as comments at the setting', () => {
    const c = gp(README)
    expect(c.notes.map((n) => n.path)).toEqual(['server.write_timeout_seconds', 'admin.addr', 'routes.0.circuit_breaker', 'routes'])
    // The comment sits right above the key it is about.
    expect(c.yaml).toMatch(/# gateway-pro server\.write_timeout_seconds: Portico accepts[^\n]*\n(\s*#[^\n]*\n)*\s+write_timeout: 30s/)
    expect(c.yaml).toMatch(/# gateway-pro routes\.0\.circuit_breaker: gateway-pro keeps one breaker per backend[^\n]*\n(\s*#[^\n]*\n)*\s+circuit_breaker:/)
    expect(c.yaml.startsWith('# Converted from a gateway-pro config by `portico convert --from gateway-pro`.')).toBe(true)
  })
})

describe('server, admin, logging', () => {
  test('server.addr and the read timeout make the listener; write_timeout is carried with a note (not enforced yet)', () => {
    const c = gp('server: { addr: "127.0.0.1:8080", read_timeout_seconds: 5, write_timeout_seconds: 7 }')
    expect(c.out.listeners).toEqual([{ id: 'http', address: '127.0.0.1:8080', http: { read_timeout: '5s', write_timeout: '7s' } }])
    expect(noteAt(c, 'server.write_timeout_seconds').message).toMatch(/does not enforce it yet/)
  })

  test('timeouts without an address have nowhere to go: a note', () => {
    const c = gp('server: { read_timeout_seconds: 5 }')
    expect(c.out.listeners).toBeUndefined()
    expect(noteAt(c, 'server').message).toMatch(/without server\.addr/)
  })

  test('admin.addr becomes admin.address, with a note on the extra endpoints and the metric names', () => {
    const c = gp('admin: { addr: ":9090" }')
    expect(c.out.admin).toEqual({ address: ':9090' })
    expect(noteAt(c, 'admin.addr').message).toMatch(/admin\.token.*gateway_requests_total is portico_requests_total/)
  })

  test('logging.level maps; format json is the default; console does not map', () => {
    expect(gp('logging: { level: warn, format: json }')).toMatchObject({ out: { logging: { level: 'warn' } }, notes: [] })
    const c = gp('logging: { level: loud, format: console }')
    expect(c.out.logging).toBeUndefined()
    expect(noteAt(c, 'logging.level').message).toMatch(/"loud" is not a log level/)
    expect(noteAt(c, 'logging.format').message).toMatch(/console .* do not map: Portico writes JSON lines/)
  })
})

describe('routes', () => {
  test.each([
    ['round_robin', 'round_robin'],
    ['least_conn', 'least_conn'],
    ['weighted', 'round_robin'],
    ['ip_hash', 'ip_hash'],
  ])('lb_algorithm %s → load_balancer %s', (from, to) => {
    const c = route(`    lb_algorithm: ${from}`)
    expect(c.out.routes[0].load_balancer).toBe(to)
    expect(c.notes.map((n) => n.path)).toEqual(['routes'])
  })

  test('an unknown lb_algorithm leaves the default, with a note', () => {
    const c = route('    lb_algorithm: fastest')
    expect(c.out.routes[0].load_balancer).toBeUndefined()
    expect(noteAt(c, 'routes.0.lb_algorithm').message).toMatch(/"fastest" is not round_robin/)
  })

  test('weights, timeout_seconds and strip_prefix map; ids come from the path and stay unique', () => {
    const c = gp(`routes:
  - { path_prefix: /api/users, timeout_seconds: 2.5, strip_prefix: true, backends: [{ url: "http://a:1", weight: 3 }, { url: "http://b:1" }] }
  - { path_prefix: /api/users, backends: [{ url: "http://a:1" }] }
  - { path_prefix: /, backends: [{ url: "http://a:1" }] }`)
    expect(c.out.routes.map((r: { id: string }) => r.id)).toEqual(['api-users', 'api-users-2', 'root'])
    expect(c.out.routes[0]).toMatchObject({ timeout: '2.5s', strip_prefix: true, backends: [{ url: 'http://a:1', weight: 3 }, { url: 'http://b:1' }] })
    expect(validate(c.yaml, 'gp-routes.yaml')).toEqual([])
  })

  test('a backend that is not an http(s) URL is dropped with a note; a route left without backends is not converted', () => {
    const c = gp(`routes:
  - { path_prefix: /a, backends: [{ url: "user-svc:8080" }, { url: "http://ok:1", weight: 0 }] }
  - { path_prefix: /b, backends: [{ url: "ftp://x" }] }
  - { backends: [{ url: "http://ok:1" }] }`)
    expect(c.out.routes).toEqual([{ id: 'a', path: '/a', path_prefix: true, backends: [{ url: 'http://ok:1' }] }])
    expect(noteAt(c, 'routes.0.backends.0').message).toMatch(/"user-svc:8080" is not an absolute http\(s\) URL/)
    expect(noteAt(c, 'routes.0.backends.1.weight').message).toMatch(/whole numbers from 1/)
    expect(noteAt(c, 'routes.1').message).toMatch(/at least one backend.*route not converted/)
    expect(noteAt(c, 'routes.2').message).toMatch(/needs path_prefix.*route not converted/)
  })

  test('every route gets the note on active health checks', () => {
    expect(noteAt(route(''), 'routes').message).toMatch(/health-checks every backend actively.*health_check/)
  })

  test('strip_prefix: the upstream sees the path without the prefix (in process)', async () => {
    const c = gp('routes: [{ path_prefix: /api/users, strip_prefix: true, backends: [{ url: "http://users.test" }] }]')
    const gw = await testGateway(c.yaml)
    expect((await gw.request('/api/users/7?x=1')).status).toBe(200)
    expect(new URL(gw.upstream[0]!.url).pathname + new URL(gw.upstream[0]!.url).search).toBe('/7?x=1')
    gw.gateway.close()
  })
})

describe('rate_limit', () => {
  test('a token bucket: rate per second, burst, key ip', () => {
    const c = route('    rate_limit: { rate: 5, burst: 9, key_by: ip }')
    expect(c.out.routes[0].rate_limit).toEqual({ algorithm: 'token_bucket', rate: 5, period: '1s', burst: 9, key: 'ip' })
  })

  test('a sliding window has no burst in Portico: a note', () => {
    const c = route('    rate_limit: { algorithm: sliding_window, rate: 5, burst: 9 }')
    expect(c.out.routes[0].rate_limit).toEqual({ algorithm: 'sliding_window', rate: 5, period: '1s', key: 'ip' })
    expect(noteAt(c, 'routes.0.rate_limit.burst').message).toMatch(/sliding window .* has no burst/)
  })

  test.each([
    ['user', 'header:X-User-ID'],
    ['api_key', 'header:X-API-Key'],
  ])('key_by %s → key %s, with a note on where it is read from', (from, to) => {
    const c = route(`    rate_limit: { rate: 5, key_by: ${from} }`)
    expect(c.out.routes[0].rate_limit.key).toBe(to)
    expect(noteAt(c, 'routes.0.rate_limit.key_by').message).toMatch(/does not say where/)
  })

  test('key_by api_key counts each key apart (in process)', async () => {
    const c = route('    rate_limit: { rate: 0.001, burst: 1, key_by: api_key }')
    const gw = await testGateway(c.yaml)
    const get = (key: string) => gw.request('/api', { headers: { 'x-api-key': key } })
    expect((await get('a')).status).toBe(200)
    expect((await get('a')).status).toBe(429)
    expect((await get('b')).status).toBe(200)
    gw.gateway.close()
  })

  test('unknown algorithm and key_by, and a missing rate, are notes', () => {
    const c = route('    rate_limit: { algorithm: leaky, rate: 5, key_by: tenant }')
    expect(c.out.routes[0].rate_limit).toMatchObject({ algorithm: 'token_bucket', key: 'ip' })
    expect(noteAt(c, 'routes.0.rate_limit.algorithm').message).toMatch(/"leaky"/)
    expect(noteAt(c, 'routes.0.rate_limit.key_by').message).toMatch(/"tenant"/)
    const none = route('    rate_limit: { burst: 3 }')
    expect(none.out.routes[0].rate_limit).toBeUndefined()
    expect(noteAt(none, 'routes.0.rate_limit').message).toMatch(/positive rate/)
  })

  test('redis_url makes the shared store: address, password, db and TLS from the URL; the limit is distributed', () => {
    const c = route('    rate_limit: { rate: 5, redis_url: "rediss://:s3cret@redis.internal:6380/2" }')
    expect(c.out.store).toEqual({ type: 'redis' })
    expect(c.out.redis).toEqual({ address: 'redis.internal:6380', password: 's3cret', db: 2, tls: true })
    expect(c.out.routes[0].rate_limit.mode).toBe('distributed')
    expect(validate(c.yaml, 'gp-redis.yaml')).toEqual([])
  })

  test('a second Redis, or a URL that is not redis://, is a note', () => {
    const c = gp(`routes:
  - { path_prefix: /a, backends: [{ url: "http://a:1" }], rate_limit: { rate: 1, redis_url: "redis://r1" } }
  - { path_prefix: /b, backends: [{ url: "http://a:1" }], rate_limit: { rate: 1, redis_url: "redis://r2" } }
  - { path_prefix: /c, backends: [{ url: "http://a:1" }], rate_limit: { rate: 1, redis_url: "\${REDIS_URL}" } }
  - { path_prefix: /d, backends: [{ url: "http://a:1" }], rate_limit: { rate: 1, redis_url: "http://r3" } }`)
    expect(c.out.redis).toEqual({ address: 'r1:6379' })
    expect(noteAt(c, 'routes.1.rate_limit.redis_url').message).toMatch(/one shared store/)
    expect(c.out.routes[2].rate_limit.mode).toBeUndefined()
    expect(noteAt(c, 'routes.2.rate_limit.redis_url').message).toMatch(/expanded from the environment.*counts in memory/)
    expect(c.out.routes[3].rate_limit.mode).toBeUndefined()
    expect(noteAt(c, 'routes.3.rate_limit.redis_url').message).toMatch(/"http:\/\/r3" is not a redis:\/\/ URL/)
  })
})

describe('circuit_breaker', () => {
  test('the failure percentage becomes error_rate_threshold; half-open trials and open time map; a note on per-backend vs per-route', () => {
    const c = route('    circuit_breaker: { failure_threshold: 25, min_requests: 8, open_duration_seconds: 3, half_open_requests: 2 }')
    expect(c.out.routes[0].circuit_breaker).toEqual({ error_rate_threshold: 0.25, min_requests: 8, failure_threshold: 8, timeout: '3s', max_requests: 2 })
    expect(noteAt(c, 'routes.0.circuit_breaker').message).toMatch(/one breaker per backend.*one per route/)
  })

  test('out-of-range values are notes', () => {
    const c = route('    circuit_breaker: { failure_threshold: 150, min_requests: 0, half_open_requests: 1.5 }')
    expect(c.out.routes[0].circuit_breaker).toEqual({})
    for (const k of ['failure_threshold', 'min_requests', 'half_open_requests']) expect(noteAt(c, `routes.0.circuit_breaker.${k}`).message).toMatch(/not converted/)
  })

  test('the converted breaker opens when half the requests fail (in process)', async () => {
    const c = route('    circuit_breaker: { failure_threshold: 50, min_requests: 4, open_duration_seconds: 30 }')
    let n = 0
    const gw = await testGateway(c.yaml, () => new Response('x', { status: n++ % 2 === 0 ? 500 : 200 }))
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push((await gw.request('/api')).status)
    // The 5th answer makes 3 failures in 5 (≥ 50 %, ≥ 4 requests): the 6th is refused at once.
    expect(statuses).toEqual([500, 200, 500, 200, 500, 503])
    expect(n).toBe(5)
    gw.gateway.close()
  })
})

describe('anything else', () => {
  test('a key gateway-pro does not document, at any level, is a note with its path', () => {
    const c = gp(`tracing: { on: true }
server: { addr: ":1", tls: {} }
routes:
  - path_prefix: /a
    health_check: { path: /h }
    backends: [{ url: "http://a:1", zone: eu }]
    rate_limit: { rate: 1, window: 1s }`)
    for (const p of ['tracing', 'server.tls', 'routes.0.health_check', 'routes.0.backends.0.zone', 'routes.0.rate_limit.window']) {
      expect(noteAt(c, p).message).toMatch(/documented config.*not converted/)
    }
  })

  test('a value of the wrong type is a note, not a crash', () => {
    const c = route('    timeout_seconds: soon\n    strip_prefix: maybe')
    expect(c.out.routes[0].timeout).toBeUndefined()
    expect(noteAt(c, 'routes.0.timeout_seconds').message).toBe('expected a number; not converted')
    expect(noteAt(c, 'routes.0.strip_prefix').message).toBe('expected true or false; not converted')
    const negative = route('    timeout_seconds: -1')
    expect(negative.out.routes[0].timeout).toBeUndefined()
    expect(noteAt(negative, 'routes.0.timeout_seconds').message).toBe('a negative duration; not converted')
  })

  test('text that is not a YAML mapping is refused as a whole', () => {
    expect(() => gp('routes: [')).toThrow(ConvertError)
    expect(() => gp('- a\n- b')).toThrow(/top level must be a mapping/)
    expect(() => gp('')).toThrow(/top level must be a mapping/)
  })
})
