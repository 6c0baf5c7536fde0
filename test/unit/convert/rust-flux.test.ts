/**
 * `portico convert --from rust-flux`: the README's example converts to the config below and
 * validates; each rust-flux setting maps as its source (src/config.rs, proxy.rs, auth.rs,
 * rate_limit.rs) uses it, or leaves a note saying why not. Behaviour of converted configs is
 * checked in process (test/helpers/gateway-request.ts).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { describe, expect, test } from 'vitest'
import { ConvertError } from '../../../src/convert/converters.ts'
import { testGateway } from '../../helpers/gateway-request.ts'
import { SECRET, convert, noteAt, root, validate } from './convert-helpers.ts'

const README = readFileSync(join(root, 'test/fixtures/seed-configs/rust-flux-readme.yaml'), 'utf8')
const rf = (text: string) => convert('rust-flux', text)
const UPSTREAM = 'upstreams: [{ name: api, base_url: "http://api.test:8080" }]\n'
/** The converted text with the secret in place (the in-process helper has no environment). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the reference the converter writes.
const served = (yaml: string) => yaml.replace('${env:JWT_SECRET}', SECRET)
const token = (claims: Record<string, unknown>) =>
  new SignJWT({ iss: 'gateway', ...claims }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))

describe('the README example', () => {
  test('converts to the equivalent Portico config, which validates', () => {
    const c = rf(README)
    expect(c.out).toEqual({
      listeners: [{ id: 'http', address: '0.0.0.0:8080' }],
      admin: { metrics: { path: '/metrics' } },
      shutdown: { timeout: '30s' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference the converter writes.
      authentication: { jwt: { algorithm: 'HS256', issuer: 'gateway', secret: '${env:JWT_SECRET}' } },
      upstreams: { 'api-service': { backends: [{ url: 'http://api:8080' }] } },
      routes: [
        {
          id: 'api-route',
          path: '/api',
          path_prefix: true,
          methods: ['GET', 'POST'],
          upstream: 'api-service',
          timeout: '5s',
          retry_policy: { max_retries: 1, initial_backoff: '100ms', max_backoff: '100ms', backoff_multiplier: 1 },
          auth: { required: true, methods: ['jwt'] },
          rate_limit: { algorithm: 'sliding_window', rate: 60, period: '1m', key: 'ip' },
        },
      ],
    })
    expect(validate(c.yaml, 'rust-flux-readme.yaml')).toEqual([])
  })

  test('says which settings did not map, each once', () => {
    expect(rf(README).notes.map((n) => n.path)).toEqual([
      'server.shutdown_grace_period_secs',
      'metrics',
      'upstreams.0',
      'auth_policies.0',
      'rate_limits.0.burst',
      'rate_limits',
      'rate_limits',
      'routes',
    ])
  })

  test('the converted route proxies with a valid token and refuses without one (in process)', async () => {
    const gw = await testGateway(served(rf(README).yaml))
    expect((await gw.request('/api/x')).status).toBe(401)
    const ok = await gw.request('/api/x?q=1', { method: 'POST', headers: { authorization: `Bearer ${await token({ sub: 'u1' })}` } })
    expect(ok.status).toBe(200)
    expect(gw.upstream.map((u) => u.url)).toEqual(['http://api:8080/api/x?q=1'])
    gw.gateway.close()
  })
})

describe('server and metrics', () => {
  test('listen_addr is the listener; the grace period is shutdown.timeout, with a note that rust-flux did not bound it', () => {
    const c = rf('server: { listen_addr: "127.0.0.1:9000", shutdown_grace_period_secs: 5 }')
    expect(c.out).toMatchObject({ listeners: [{ id: 'http', address: '127.0.0.1:9000' }], shutdown: { timeout: '5s' } })
    expect(noteAt(c, 'server.shutdown_grace_period_secs').message).toMatch(/without a bound/)
  })

  test('metrics.path is the admin metrics path; with or without it, the note says the endpoints move to the admin listener', () => {
    expect(rf('metrics: { path: /m }').out.admin).toEqual({ metrics: { path: '/m' } })
    expect(noteAt(rf('metrics: { path: /m }'), 'metrics').message).toMatch(/admin listener/)
    expect(noteAt(rf('server: { listen_addr: "0.0.0.0:1" }'), '').message).toMatch(/\/healthz and \/readyz on the gateway's own port/)
  })
})

describe('upstreams and routes', () => {
  test('each upstream is a named pool; timeout_ms and retry go to every route on it, with a note', () => {
    const c = rf(`upstreams:
  - { name: a, base_url: "http://a.test/base/", timeout_ms: 250, retry: { attempts: 3, backoff_ms: 40 } }
  - { name: b, base_url: "http://b.test" }
routes:
  - { id: r1, match_path: { prefix: /a }, upstream: a }
  - { id: r2, match_path: { exact: /b }, upstream: b }`)
    expect(c.out.upstreams).toEqual({ a: { backends: [{ url: 'http://a.test/base/' }] }, b: { backends: [{ url: 'http://b.test' }] } })
    expect(c.out.routes).toEqual([
      {
        id: 'r1',
        path: '/a',
        path_prefix: true,
        upstream: 'a',
        timeout: '250ms',
        retry_policy: { max_retries: 2, initial_backoff: '40ms', max_backoff: '40ms', backoff_multiplier: 1 },
      },
      { id: 'r2', path: '/b', upstream: 'b' },
    ])
    expect(noteAt(c, 'upstreams.0').message).toMatch(/parses timeout_ms and retry but its proxy does not apply them.*max_retries = attempts - 1/)
    expect(c.notes.some((n) => n.path === 'upstreams.1')).toBe(false)
    expect(validate(c.yaml, 'rf-upstreams.yaml')).toEqual([])
  })

  test('retry attempts: 1 (the default) is no retry; more than 11 is capped with a note', () => {
    const one = rf(`${UPSTREAM.replace('}]', ', retry: { attempts: 1 } }]')}routes: [{ id: r, match_path: { prefix: / }, upstream: api }]`)
    expect(one.out.routes[0].retry_policy).toBeUndefined()
    expect(noteAt(one, 'upstreams.0').message).toMatch(/parses retry but its proxy does not apply it/)
    const many = rf(`${UPSTREAM.replace('}]', ', retry: { attempts: 50 } }]')}routes: [{ id: r, match_path: { prefix: / }, upstream: api }]`)
    expect(many.out.routes[0].retry_policy.max_retries).toBe(10)
    expect(noteAt(many, 'upstreams.0.retry.attempts').message).toMatch(/at most 10/)
  })

  test('an upstream without a usable base_url, or a second one of the same name, is a note', () => {
    const c = rf('upstreams: [{ name: a, base_url: "api:8080" }, { name: b, base_url: "http://b?x=1" }, { name: c, base_url: "http://c" }, { name: c, base_url: "http://d" }]')
    expect(Object.keys(c.out.upstreams)).toEqual(['c'])
    expect(noteAt(c, 'upstreams.0').message).toMatch(/absolute http\(s\) URL/)
    expect(noteAt(c, 'upstreams.1').message).toMatch(/without a query/)
    expect(noteAt(c, 'upstreams.3.name').message).toMatch(/second upstream named "c"/)
  })

  test('methods keep their list; rewrite_path replaces the whole path and keeps the query (in process)', async () => {
    const c = rf(`${UPSTREAM}routes: [{ id: r, match_path: { prefix: /old }, methods: [get], upstream: api, rewrite_path: "/new/$1" }]`)
    expect(c.out.routes[0]).toMatchObject({ methods: ['get'], rewrite: { regex: '^.*$', replacement: '/new/$$1' } })
    const gw = await testGateway(c.yaml)
    expect((await gw.request('/old/deep/path?a=b')).status).toBe(200)
    expect((await gw.request('/old/x', { method: 'POST' })).status).toBe(405)
    expect(gw.upstream.map((u) => u.url)).toEqual(['http://api.test:8080/new/$1?a=b'])
    gw.gateway.close()
  })

  test('a route rust-flux itself refuses (no such upstream, policy or limit; no path) is not converted', () => {
    const c = rf(`${UPSTREAM}routes:
  - { id: a, match_path: { prefix: /a }, upstream: nope }
  - { id: b, match_path: { prefix: /b }, upstream: api, auth_policy: nope }
  - { id: c, match_path: { prefix: /c }, upstream: api, rate_limit: nope }
  - { id: d, upstream: api }
  - { id: e, match_path: { prefix: /e, exact: /e }, upstream: api }`)
    expect(c.out.routes).toBeUndefined()
    expect(noteAt(c, 'routes.0').message).toMatch(/no upstream named "nope" \(rust-flux refuses this config\); route not converted/)
    expect(noteAt(c, 'routes.1').message).toMatch(/no auth_policy named "nope"/)
    expect(noteAt(c, 'routes.2').message).toMatch(/no rate_limit named "nope"/)
    expect(noteAt(c, 'routes.3').message).toMatch(/match_path needs one of exact or prefix/)
    expect(noteAt(c, 'routes.4').message).toMatch(/match_path needs one of exact or prefix/)
  })

  test('a missing or repeated id gets one Portico accepts, with a note', () => {
    const c = rf(`${UPSTREAM}routes: [{ match_path: { prefix: /a }, upstream: api }, { id: x, match_path: { prefix: /b }, upstream: api }, { id: x, match_path: { prefix: /c }, upstream: api }]`)
    expect(c.out.routes.map((r: { id: string }) => r.id)).toEqual(['route-0', 'x', 'x-2'])
    expect(noteAt(c, 'routes.0').message).toMatch(/needs an id/)
    expect(noteAt(c, 'routes.2.id').message).toMatch(/second route with id "x"/)
  })

  test('a route rust-flux never reaches (an earlier one matches all its requests) is named', () => {
    const c = rf(`${UPSTREAM}routes:
  - { id: all, match_path: { prefix: /api }, upstream: api }
  - { id: users, match_path: { prefix: /api/users }, upstream: api }
  - { id: gets, match_path: { prefix: /x }, methods: [GET], upstream: api }
  - { id: posts, match_path: { prefix: /x/y }, methods: [POST], upstream: api }`)
    expect(noteAt(c, 'routes.1').message).toMatch(/never reaches this route: "all" comes first/)
    expect(c.notes.some((n) => n.path === 'routes.3')).toBe(false)
    expect(noteAt(c, 'routes').message).toMatch(/plain text.*whole path segments/)
  })
})

describe('auth_policies', () => {
  const withAuth = (policies: string, routes: string) => rf(`${UPSTREAM}auth_policies: ${policies}\nroutes: ${routes}`)

  test('RS256 reads a public key; audiences and scopes map; an unused policy is a note', () => {
    const c = withAuth(
      '[{ name: p, algorithm: RS256, issuer: idp, audiences: [api], required_scopes: [read, write] }, { name: spare, algorithm: HS256, issuer: x }]',
      '[{ id: r, match_path: { prefix: / }, upstream: api, auth_policy: p }]',
    )
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference the converter writes.
    expect(c.out.authentication).toEqual({ jwt: { algorithm: 'RS256', issuer: 'idp', audience: ['api'], public_key: '${env:JWT_SECRET}' } })
    expect(c.out.routes[0].auth).toEqual({ required: true, methods: ['jwt'], scopes: ['read', 'write'] })
    expect(noteAt(c, 'auth_policies.0').message).toMatch(/JWT_KEY_P, else JWT_SECRET/)
    expect(noteAt(c, 'auth_policies.1').message).toBe('not used by any route; not converted')
  })

  test('key_id names the variable rust-flux reads', () => {
    const c = withAuth('[{ name: p, algorithm: HS256, issuer: i, key_id: my-key }]', '[{ id: r, match_path: { prefix: / }, upstream: api, auth_policy: p }]')
    expect(noteAt(c, 'auth_policies.0').message).toMatch(/JWT_KEY_MY_KEY/)
  })

  test('policies differing only in scopes map exactly (scopes are per route) (in process)', async () => {
    const c = withAuth(
      '[{ name: r, algorithm: HS256, issuer: gateway, required_scopes: [read] }, { name: w, algorithm: HS256, issuer: gateway, required_scopes: [write] }]',
      '[{ id: read, match_path: { prefix: /r }, upstream: api, auth_policy: r }, { id: write, match_path: { prefix: /w }, upstream: api, auth_policy: w }]',
    )
    expect(c.notes.filter((n) => n.path.startsWith('auth_policies.1'))).toEqual([])
    const gw = await testGateway(served(c.yaml))
    const reader = { authorization: `Bearer ${await token({ scope: 'read' })}` }
    expect((await gw.request('/r', { headers: reader })).status).toBe(200)
    expect((await gw.request('/w', { headers: reader })).status).toBe(403)
    gw.gateway.close()
  })

  test('a second verifier (another issuer) does not map: its routes check the first one, with a note', () => {
    const c = withAuth(
      '[{ name: a, algorithm: HS256, issuer: one }, { name: b, algorithm: HS256, issuer: two }]',
      '[{ id: x, match_path: { prefix: /x }, upstream: api, auth_policy: a }, { id: y, match_path: { prefix: /y }, upstream: api, auth_policy: b }]',
    )
    expect(c.out.routes[1].auth).toEqual({ required: true, methods: ['jwt'] })
    expect(noteAt(c, 'auth_policies.1').message).toMatch(/one JWT verifier.*"a"/)
  })

  test('a policy rust-flux refuses (unknown algorithm, no issuer) is a note', () => {
    const c = rf('auth_policies: [{ name: a, algorithm: ES256, issuer: i }, { name: b, algorithm: HS256 }]')
    expect(noteAt(c, 'auth_policies.0').message).toMatch(/HS256 or RS256/)
    expect(noteAt(c, 'auth_policies.1').message).toMatch(/needs name, issuer/)
  })
})

describe('rate_limits', () => {
  const limited = (limit: string, routes = '[{ id: r, match_path: { prefix: / }, upstream: api, rate_limit: l }]') =>
    rf(`${UPSTREAM}rate_limits: [{ name: l, ${limit} }]\nroutes: ${routes}`)

  test('limit_per_minute is a sliding one-minute window (in process: the third request in the minute is refused)', async () => {
    const c = limited('limit_per_minute: 2, key: [client_ip, route_path]')
    expect(c.out.routes[0].rate_limit).toEqual({ algorithm: 'sliding_window', rate: 2, period: '1m', key: 'ip' })
    const gw = await testGateway(c.yaml)
    expect([(await gw.request('/')).status, (await gw.request('/')).status, (await gw.request('/')).status]).toEqual([200, 200, 429])
    expect((await gw.request('/', { remoteAddr: '192.0.2.99' })).status).toBe(200)
    gw.gateway.close()
  })

  test('jwt_subject counts per token subject; with client_ip too, a note that the IP part is dropped', () => {
    expect(limited('limit_per_minute: 5, key: [jwt_subject]').out.routes[0].rate_limit.key).toBe('jwt_claim:sub')
    const c = limited('limit_per_minute: 5, key: [client_ip, jwt_subject, route_path]')
    expect(c.out.routes[0].rate_limit.key).toBe('jwt_claim:sub')
    expect(noteAt(c, 'rate_limits.0.key').message).toMatch(/subject and IP together/)
  })

  test('no client part (one bucket per route in rust-flux) is a note', () => {
    const c = limited('limit_per_minute: 5, key: [route_path]')
    expect(noteAt(c, 'rate_limits.0.key').message).toMatch(/one bucket.*per_ip: false/)
  })

  test('without route_path, routes sharing the policy shared one count in rust-flux: a note', () => {
    const two = '[{ id: a, match_path: { prefix: /a }, upstream: api, rate_limit: l }, { id: b, match_path: { prefix: /b }, upstream: api, rate_limit: l }]'
    const c = limited('limit_per_minute: 5, key: [client_ip]', two)
    expect(noteAt(c, 'rate_limits.0.key').message).toMatch(/shares one count across routes a, b/)
    expect(c.notes.filter((n) => n.path === 'rate_limits.0.key')).toHaveLength(1)
  })

  test('burst (never used by rust-flux), Redis and the trusted client address are notes', () => {
    const c = limited('limit_per_minute: 5, burst: 3, key: [client_ip]')
    expect(noteAt(c, 'rate_limits.0.burst').message).toMatch(/never uses it/)
    expect(c.said).toContain(
      'rate_limits: rust-flux counts in Redis (REDIS_URL), shared by every instance; the converted limits count per Portico process (mode: local). For one shared count set store.type: redis, redis.address and mode: distributed',
    )
    expect(c.said.some((s) => /X-Forwarded-For.*trusted_proxies/.test(s))).toBe(true)
  })

  test('limit 0, an unknown key part, an unused policy: notes', () => {
    const c = rf(`${UPSTREAM}rate_limits: [{ name: l, limit_per_minute: 0, key: [client_ip, tenant] }, { name: spare, limit_per_minute: 1 }]
routes: [{ id: r, match_path: { prefix: / }, upstream: api, rate_limit: l }]`)
    expect(c.out.routes[0].rate_limit).toBeUndefined()
    expect(noteAt(c, 'rate_limits.0').message).toMatch(/limit_per_minute 0/)
    expect(noteAt(c, 'rate_limits.0.key').message).toMatch(/tenant: not client_ip/)
    expect(noteAt(c, 'rate_limits.1').message).toBe('not used by any route; not converted')
  })
})

describe('anything else', () => {
  test('a key rust-flux does not have, at any level, is a note with its path', () => {
    const c = rf(`cache: {}
server: { listen_addr: "0.0.0.0:1", tls: true }
upstreams: [{ name: a, base_url: "http://a", pool: 4, retry: { jitter: true } }]
routes: [{ id: r, match_path: { prefix: /, regex: x }, upstream: a, cors: {} }]`)
    for (const p of ['cache', 'server.tls', 'upstreams.0.pool', 'upstreams.0.retry.jitter', 'routes.0.match_path.regex', 'routes.0.cors']) {
      expect(noteAt(c, p).message).toMatch(/not a rust-flux setting/)
    }
  })

  test('null fields (serde Option) are as absent; text that is not a mapping is refused', () => {
    const c = rf(`${UPSTREAM}routes: [{ id: r, match_path: { prefix: / }, upstream: api, rewrite_path: null, auth_policy: ~, rate_limit: null }]`)
    expect(c.out.routes[0]).toEqual({ id: 'r', path: '/', path_prefix: true, upstream: 'api' })
    expect(() => rf('[1, 2]')).toThrow(ConvertError)
  })
})
