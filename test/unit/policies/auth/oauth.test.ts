/**
 * OAuth 2.0 token introspection (RFC 7662) against a real authorization-server stand-in on
 * 127.0.0.1 that checks the gateway's Basic client credentials and counts calls: verdicts,
 * claim checks, the bounded cache, a flood of one token, an endpoint that is down, slow or
 * answers garbage, and option errors.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import type { AuthenticationConfig } from '../../../../src/config/types.ts'
import { createAuthMethods } from '../../../../src/policies/auth/methods.ts'
import type { OAuthIntrospectionOptions } from '../../../../src/config/types-auth.ts'
import { createOAuthIntrospection } from '../../../../src/policies/auth/oauth.ts'
import type { AuthOutcome } from '../../../../src/policies/auth/types.ts'

// Characters RFC 6749 §2.3.1 makes the client form-encode before Basic: ':' in the id, spaces, '+', '%'.
const CLIENT_ID = 'portico:gateway'
const CLIENT_SECRET = 's3cret +%/ü'

interface Call { authorization: string | undefined; contentType: string | undefined; accept: string | undefined; body: URLSearchParams }

interface AuthServer {
  url: string
  /** Introspection requests so far (including refused ones). */
  calls: () => number
  lastCall: () => Call | undefined
  /** What the server answers for a token (default: `{ active: false }`). */
  token: (token: string, answer: Record<string, unknown>) => void
  /** Answer every request with this status / raw body instead, or never answer ('hang'). */
  override: (answer: number | string | 'hang' | null) => void
  delay: (ms: number) => void
  close: () => Promise<void>
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r) })))
})

const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '))

function clientAuthenticated(req: IncomingMessage): boolean {
  const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '')
  if (m === null) return false
  const decoded = Buffer.from(m[1]!, 'base64').toString('latin1')
  const colon = decoded.indexOf(':')
  try {
    return colon > 0 && formDecode(decoded.slice(0, colon)) === CLIENT_ID && formDecode(decoded.slice(colon + 1)) === CLIENT_SECRET
  } catch {
    return false // not form-encoded: a stray '%' fails decoding
  }
}

async function startAuthServer(): Promise<AuthServer> {
  const tokens = new Map<string, Record<string, unknown>>()
  let calls = 0
  let last: Call | undefined
  let override: number | string | 'hang' | null = null
  let delayMs = 0
  const server = createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => { raw += c })
    req.on('end', () => {
      calls++
      const body = new URLSearchParams(raw)
      last = { authorization: req.headers.authorization, contentType: req.headers['content-type'], accept: req.headers.accept, body }
      if (override === 'hang') return
      setTimeout(() => {
        if (typeof override === 'number') return void res.writeHead(override, { location: '/introspect' }).end('unavailable')
        if (typeof override === 'string') return void res.writeHead(200, { 'content-type': 'application/json' }).end(override)
        if (req.method !== 'POST' || req.url !== '/introspect') return void res.writeHead(404).end()
        // RFC 7662 §2.1: an unauthenticated caller is refused (RFC 6749 §5.2 invalid_client).
        if (!clientAuthenticated(req)) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}')
        const answer = tokens.get(body.get('token') ?? '') ?? { active: false }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
      }, delayMs)
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`,
    calls: () => calls,
    lastCall: () => last,
    token: (t, a) => { tokens.set(t, a) },
    override: (a) => { override = a },
    delay: (ms) => { delayMs = ms },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}

function clock() {
  let t = Date.parse('2030-01-01T00:00:00Z')
  return { now: () => t, advance: (ms: number) => { t += ms }, seconds: () => Math.floor(t / 1000) }
}

const options = (server: AuthServer, extra: Partial<OAuthIntrospectionOptions> = {}): OAuthIntrospectionOptions => ({
  enabled: true, introspection_url: server.url, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...extra,
})

const refused = (o: AuthOutcome, code: string, status = 401) => expect(o).toMatchObject({ ok: false, status, code })
const bearer = (value: string) => new Request('http://gw.test/orders', { headers: { authorization: value } })

describe('OAuth token introspection', () => {
  test('an active token passes with its identity and scopes; the request follows RFC 7662 §2.1', async () => {
    const as = await startAuthServer()
    const c = clock()
    as.token('tok-alice', { active: true, sub: 'alice', client_id: 'mobile-app', scope: 'orders:read orders:write', exp: c.seconds() + 3600, iss: 'https://as.example', aud: ['orders-api'] })
    const m = await createOAuthIntrospection(options(as), { fetch, now: c.now })
    expect(m.name).toBe('oauth')
    const outcome = await m.verify('tok-alice')
    expect(outcome).toEqual({
      ok: true,
      clientId: 'alice',
      roles: [],
      scopes: ['orders:read', 'orders:write'],
      claims: expect.objectContaining({ active: true, sub: 'alice', client_id: 'mobile-app' }),
      forward: [],
    })
    const call = as.lastCall()!
    expect(call.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    expect(call.accept).toBe('application/json')
    expect(call.authorization).toMatch(/^Basic /)
    expect(Object.fromEntries(call.body)).toEqual({ token: 'tok-alice', token_type_hint: 'access_token' })
  })

  test('client_id, then username, stand in for a missing sub', async () => {
    const as = await startAuthServer()
    as.token('machine', { active: true, client_id: 'billing-job' })
    as.token('human', { active: true, username: 'bob' })
    as.token('nobody', { active: true })
    const m = await createOAuthIntrospection(options(as), { fetch })
    expect(await m.verify('machine')).toMatchObject({ ok: true, clientId: 'billing-job', scopes: [] })
    expect(await m.verify('human')).toMatchObject({ ok: true, clientId: 'bob' })
    expect(await m.verify('nobody')).toMatchObject({ ok: true, clientId: null })
  })

  test('an inactive or unknown token gets 401 invalid_token, and the refusal never echoes the token', async () => {
    const as = await startAuthServer()
    as.token('revoked-token', { active: false })
    as.token('odd-active', { active: 'true' }) // RFC 7662 §2.2: a boolean; anything but true is inactive
    const m = await createOAuthIntrospection(options(as), { fetch })
    for (const t of ['revoked-token', 'never-issued', 'odd-active']) {
      const o = await m.verify(t)
      refused(o, 'oauth_token_inactive')
      expect(JSON.stringify(o)).not.toContain(t)
      expect(o).toMatchObject({ wwwAuthenticate: 'Bearer realm="portico", error="invalid_token", error_description="token is not active"' })
    }
  })

  test('an active answer whose exp has passed, or whose nbf is ahead, is refused by the gateway clock', async () => {
    const as = await startAuthServer()
    const c = clock()
    as.token('stale', { active: true, sub: 'alice', exp: c.seconds() - 1 })
    as.token('early', { active: true, sub: 'alice', nbf: c.seconds() + 60 })
    const m = await createOAuthIntrospection(options(as), { fetch, now: c.now })
    refused(await m.verify('stale'), 'oauth_token_expired')
    refused(await m.verify('early'), 'oauth_token_not_yet_valid')
  })

  test('a wrong issuer or audience gets 401; the configured ones pass (aud as string or list)', async () => {
    const as = await startAuthServer()
    as.token('good-list', { active: true, sub: 'a', iss: 'https://as.example', aud: ['other', 'orders-api'] })
    as.token('good-string', { active: true, sub: 'a', iss: 'https://as.example', aud: 'orders-api' })
    as.token('foreign-iss', { active: true, sub: 'a', iss: 'https://evil.example', aud: 'orders-api' })
    as.token('no-iss', { active: true, sub: 'a', aud: 'orders-api' })
    as.token('foreign-aud', { active: true, sub: 'a', iss: 'https://as.example', aud: ['billing-api'] })
    as.token('no-aud', { active: true, sub: 'a', iss: 'https://as.example' })
    const m = await createOAuthIntrospection(options(as, { issuer: 'https://as.example', audience: ['orders-api', 'orders-admin'] }), { fetch })
    expect(await m.verify('good-list')).toMatchObject({ ok: true })
    expect(await m.verify('good-string')).toMatchObject({ ok: true })
    refused(await m.verify('foreign-iss'), 'oauth_issuer_invalid')
    refused(await m.verify('no-iss'), 'oauth_issuer_invalid')
    refused(await m.verify('foreign-aud'), 'oauth_audience_invalid')
    refused(await m.verify('no-aud'), 'oauth_audience_invalid')
  })

  test('a refresh token (ORY Hydra token_use) is not accepted as an access token', async () => {
    const as = await startAuthServer()
    as.token('refresh', { active: true, sub: 'a', token_use: 'refresh_token' })
    as.token('access', { active: true, sub: 'a', token_use: 'access_token' })
    const m = await createOAuthIntrospection(options(as), { fetch })
    refused(await m.verify('refresh'), 'oauth_token_type_invalid')
    expect(await m.verify('access')).toMatchObject({ ok: true })
  })

  test('a token without every required scope gets 403 with the insufficient_scope challenge', async () => {
    const as = await startAuthServer()
    as.token('reader', { active: true, sub: 'a', scope: 'orders:read' })
    as.token('writer', { active: true, sub: 'a', scope: 'orders:write  orders:read' })
    as.token('no-scope', { active: true, sub: 'a' })
    const m = await createOAuthIntrospection(options(as, { scopes: ['orders:read', 'orders:write'] }), { fetch })
    for (const t of ['reader', 'no-scope']) {
      expect(await m.verify(t)).toEqual({
        ok: false, status: 403, code: 'oauth_scope_insufficient', message: 'token lacks a required scope',
        wwwAuthenticate: 'Bearer error="insufficient_scope", scope="orders:read orders:write"',
      })
    }
    expect(await m.verify('writer')).toMatchObject({ ok: true, scopes: ['orders:write', 'orders:read'] })
  })

  test('the server refusing the gateway client credentials means 401 unverifiable, and nothing is cached', async () => {
    const as = await startAuthServer()
    as.token('tok', { active: true, sub: 'alice' })
    const m = await createOAuthIntrospection(options(as, { client_secret: 'wrong' }), { fetch })
    for (let i = 1; i <= 3; i++) {
      const o = await m.verify('tok')
      refused(o, 'oauth_unverifiable')
      expect(o).toMatchObject({ wwwAuthenticate: 'Bearer realm="portico", error="invalid_token", error_description="token could not be verified"' })
      expect(as.calls()).toBe(i) // asked every time: a failure is never remembered, least of all as valid
    }
    expect(m.stats()).toMatchObject({ introspections: 3, failures: 3, cached: 0, lastError: 'introspection endpoint answered HTTP 401' })
    // Right credentials against the same server: the token passes.
    const fixed = await createOAuthIntrospection(options(as), { fetch })
    expect(await fixed.verify('tok')).toMatchObject({ ok: true, clientId: 'alice' })
  })

  test('50 concurrent verifications of one token cost one introspection call', async () => {
    const as = await startAuthServer()
    as.token('popular', { active: true, sub: 'alice', scope: 'orders:read' })
    as.delay(50)
    const m = await createOAuthIntrospection(options(as), { fetch })
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => m.verify('popular')))
    for (const o of outcomes) expect(o).toMatchObject({ ok: true, clientId: 'alice' })
    expect(as.calls()).toBe(1)
    expect(m.stats()).toMatchObject({ introspections: 1, inFlight: 0, cached: 1 })
    expect(await m.verify('popular')).toMatchObject({ ok: true }) // later ones: from the cache
    expect(as.calls()).toBe(1)
  })

  test('a flood of one unknown token costs one call per negative-cache window', async () => {
    const as = await startAuthServer()
    as.delay(20)
    const c = clock()
    const m = await createOAuthIntrospection(options(as), { fetch, now: c.now })
    const flood = async () => {
      for (const o of await Promise.all(Array.from({ length: 50 }, () => m.verify('guessed-token')))) refused(o, 'oauth_token_inactive')
    }
    await flood()
    expect(as.calls()).toBe(1)
    c.advance(9_000)
    await flood()
    expect(as.calls()).toBe(1) // inside the 10 s window
    c.advance(1_000)
    await flood()
    expect(as.calls()).toBe(2)
  })

  test('a cached active answer is used until exp and no longer', async () => {
    const as = await startAuthServer()
    const c = clock()
    as.token('short-lived', { active: true, sub: 'alice', exp: c.seconds() + 30 })
    const m = await createOAuthIntrospection(options(as, { cache_ttl: 3_600_000 }), { fetch, now: c.now })
    expect(await m.verify('short-lived')).toMatchObject({ ok: true })
    c.advance(29_999)
    expect(await m.verify('short-lived')).toMatchObject({ ok: true })
    expect(as.calls()).toBe(1)
    c.advance(1)
    refused(await m.verify('short-lived'), 'oauth_token_expired')
    expect(as.calls()).toBe(2) // the entry ended at exp: the server was asked again
    refused(await m.verify('short-lived'), 'oauth_token_expired')
    expect(as.calls()).toBe(2) // and its (still "active") answer is now remembered as a refusal
  })

  test('cache_ttl bounds how long a revoked token keeps working', async () => {
    const as = await startAuthServer()
    const c = clock()
    as.token('tok', { active: true, sub: 'alice', exp: c.seconds() + 3600 })
    const m = await createOAuthIntrospection(options(as, { cache_ttl: 5_000 }), { fetch, now: c.now })
    expect(await m.verify('tok')).toMatchObject({ ok: true })
    as.token('tok', { active: false }) // revoked at the server
    c.advance(4_999)
    expect(await m.verify('tok')).toMatchObject({ ok: true })
    c.advance(1)
    refused(await m.verify('tok'), 'oauth_token_inactive')
    expect(as.calls()).toBe(2)
  })

  test('cache_ttl 0 asks the server for every request (concurrent ones still share a call)', async () => {
    const as = await startAuthServer()
    as.token('tok', { active: true, sub: 'alice' })
    as.delay(20)
    const m = await createOAuthIntrospection(options(as, { cache_ttl: 0 }), { fetch })
    await Promise.all([m.verify('tok'), m.verify('tok')])
    expect(as.calls()).toBe(1)
    await m.verify('tok')
    await m.verify('unknown')
    await m.verify('unknown')
    expect(as.calls()).toBe(4)
  })

  test('the cache is bounded: the least recently used entry is evicted first', async () => {
    const as = await startAuthServer()
    for (const t of ['a', 'b', 'c']) as.token(t, { active: true, sub: t })
    const m = await createOAuthIntrospection(options(as, { max_cache_entries: 2 }), { fetch })
    await m.verify('a')
    await m.verify('b')
    await m.verify('a') // a is now the most recent
    expect(as.calls()).toBe(2)
    await m.verify('c') // evicts b
    expect(m.stats().cached).toBe(2)
    await m.verify('a')
    expect(as.calls()).toBe(3)
    await m.verify('b')
    expect(as.calls()).toBe(4)
  })

  test('made-up tokens fill the negative cache without evicting active answers', async () => {
    const as = await startAuthServer()
    as.token('real', { active: true, sub: 'alice' })
    const m = await createOAuthIntrospection(options(as, { max_cache_entries: 5 }), { fetch })
    await m.verify('real')
    await Promise.all(Array.from({ length: 40 }, (_, i) => m.verify(`guess-${i}`)))
    expect(m.stats().cached).toBe(6) // 1 active + 5 inactive
    const before = as.calls()
    expect(await m.verify('real')).toMatchObject({ ok: true })
    expect(as.calls()).toBe(before)
  })

  test('an endpoint that is down, slow, failing or answering garbage fails closed with 401, uncached', async () => {
    const as = await startAuthServer()
    as.token('tok', { active: true, sub: 'alice' })
    const m = await createOAuthIntrospection(options(as, { timeout: 200 }), { fetch })
    const unverifiable = async (lastError: string | RegExp) => {
      refused(await m.verify('tok'), 'oauth_unverifiable')
      expect(m.stats().lastError).toMatch(lastError)
      expect(m.stats().cached).toBe(0)
    }
    as.override(503)
    await unverifiable('introspection endpoint answered HTTP 503')
    as.override('<html>oops</html>')
    await unverifiable('answer is not JSON')
    as.override('[true]')
    await unverifiable('answer is not a JSON object')
    as.override('{"active":true,"exp":"tomorrow"}')
    await unverifiable('"exp" is not a NumericDate')
    as.override('hang')
    const started = Date.now()
    await unverifiable('no answer within 200 ms')
    expect(Date.now() - started).toBeLessThan(2_000)
    as.override(null)
    expect(await m.verify('tok')).toMatchObject({ ok: true }) // recovered: used at once

    const gone = await startAuthServer()
    const down = await createOAuthIntrospection(options(gone), { fetch })
    await gone.close()
    refused(await down.verify('tok'), 'oauth_unverifiable')
    expect(down.stats().lastError).toMatch(/^introspection endpoint unreachable/)
    expect(down.stats().lastError).not.toContain('tok')
  })

  test('a redirect from the endpoint is not followed (it would resend the token and credentials)', async () => {
    const as = await startAuthServer()
    as.override(307)
    const m = await createOAuthIntrospection(options(as), { fetch })
    refused(await m.verify('tok'), 'oauth_unverifiable')
    expect(as.calls()).toBe(1)
  })

  test('only Authorization: Bearer carries the token; a malformed one is refused without a call', async () => {
    const as = await startAuthServer()
    const m = await createOAuthIntrospection(options(as), { fetch })
    const url = new URL('http://gw.test/orders?access_token=x')
    expect(m.credential(bearer('Bearer abc.DEF-_~+/=='), url)).toBe('abc.DEF-_~+/==')
    expect(m.credential(bearer('bEaReR   abc'), url)).toBe('abc') // RFC 6750 §2.1: scheme is case-insensitive
    expect(m.credential(bearer('Basic dXNlcjpwYXNz'), url)).toBeNull()
    expect(m.credential(new Request('http://gw.test/orders?access_token=x'), url)).toBeNull()
    for (const t of ['', 'has space', 'quote"', 'a=b', 'ü', 'x'.repeat(16_385)]) refused(await m.verify(t), 'oauth_token_malformed')
    expect(as.calls()).toBe(0)
    expect(m.challenge).toBe('Bearer realm="portico"')
    expect(m.forwardedHeaders).toEqual([])
  })

  test('jwks_url in the oauth block is ignored: every token is introspected', async () => {
    const as = await startAuthServer()
    as.token('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', { active: true, sub: 'x' })
    const m = await createOAuthIntrospection(options(as, { jwks_url: 'https://as.example/jwks' }), { fetch })
    expect(await m.verify('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toMatchObject({ ok: true, clientId: 'x' })
    expect(as.calls()).toBe(1)
  })
})

describe('OAuth options', () => {
  const base = { enabled: true, introspection_url: 'https://as.example/introspect', client_id: 'gw', client_secret: 'pw' }
  const cases: [string, Partial<OAuthIntrospectionOptions>, RegExp][] = [
    ['no introspection_url', { introspection_url: undefined }, /^authentication\.oauth\.introspection_url: is required/],
    ['a relative URL', { introspection_url: '/introspect' }, /^authentication\.oauth\.introspection_url: .* is not an absolute URL/],
    ['plain http to a remote host', { introspection_url: 'http://as.example/introspect' }, /^authentication\.oauth\.introspection_url: .* must use https/],
    ['credentials in the URL', { introspection_url: 'https://gw:pw@as.example/introspect' }, /^authentication\.oauth\.introspection_url: must not carry credentials/],
    ['no client_id', { client_id: undefined }, /^authentication\.oauth\.client_id: is required/],
    ['an empty client_secret', { client_secret: '' }, /^authentication\.oauth\.client_secret: is required/],
    ['an empty issuer', { issuer: '' }, /^authentication\.oauth\.issuer: is empty/],
    ['an empty audience list', { audience: [] }, /^authentication\.oauth\.audience: /],
    ['a scope with a quote', { scopes: ['ok', 'bad"scope'] }, /^authentication\.oauth\.scopes\.1: "bad"scope" is not a scope token/],
    ['a negative cache_ttl', { cache_ttl: -1 }, /^authentication\.oauth\.cache_ttl: must be a duration/],
    ['a zero timeout', { timeout: 0 }, /^authentication\.oauth\.timeout: must be a duration ≥ 1/],
  ]
  for (const [what, change, message] of cases) {
    test(`${what} fails at creation`, async () => {
      await expect(createOAuthIntrospection({ ...base, ...change }, { fetch })).rejects.toThrow(message)
    })
  }

  test('loopback hosts may use plain http', async () => {
    for (const u of ['http://localhost:9000/i', 'http://127.0.0.1/i', 'http://127.8.0.1/i', 'http://[::1]:9/i']) {
      await expect(createOAuthIntrospection({ ...base, introspection_url: u }, { fetch })).resolves.toMatchObject({ name: 'oauth' })
    }
  })

  test('the authentication block creates the oauth method, and a bad block fails it with the key path', async () => {
    const as = await startAuthServer()
    as.token('tok', { active: true, sub: 'alice' })
    const good: AuthenticationConfig = { oauth: { enabled: true, introspection_url: as.url, client_id: CLIENT_ID, client_secret: CLIENT_SECRET } }
    const m = await createAuthMethods(good, { fetch }).get('oauth')!
    expect(await m.verify('tok')).toMatchObject({ ok: true, clientId: 'alice' })
    expect(createAuthMethods({ oauth: { ...good.oauth!, enabled: false } }, { fetch }).has('oauth')).toBe(false)
    const bad: AuthenticationConfig = { oauth: { enabled: true, introspection_url: as.url, client_id: CLIENT_ID } }
    await expect(createAuthMethods(bad, { fetch }).get('oauth')!).rejects.toThrow(/^authentication\.oauth\.client_secret: is required/)
  })
})
