/**
 * The JWKS cache against a real identity-provider stand-in on 127.0.0.1 that counts fetches:
 * rotation, a flood of unknown kids, an endpoint that is down or answers garbage, OIDC discovery.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { createJwksCache, discoverJwksUrl, JwksError } from '../../../../src/policies/auth/jwks.ts'
import { createJwtVerifier, type JwtOutcome } from '../../../../src/policies/auth/jwt.ts'

interface Idp {
  base: string
  /** Fetches of /jwks so far. */
  fetches: () => number
  /** What /jwks answers next: a key set, or raw text (garbage), or an HTTP status. */
  serve: (answer: { keys: JWK[] } | string | number) => void
  /** Milliseconds /jwks waits before answering (lets concurrent misses pile up). */
  delay: (ms: number) => void
  discovery: (doc: Record<string, unknown>) => void
  close: () => Promise<void>
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r) })))
})

async function startIdp(): Promise<Idp> {
  let answer: { keys: JWK[] } | string | number = { keys: [] }
  let doc: Record<string, unknown> = {}
  let fetches = 0
  let delayMs = 0
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc))
      return
    }
    if (req.url === '/hang') return // never answers
    if (req.url !== '/jwks') {
      res.writeHead(404).end()
      return
    }
    fetches++
    setTimeout(() => {
      if (typeof answer === 'number') res.writeHead(answer).end('unavailable')
      else res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(typeof answer === 'string' ? answer : JSON.stringify(answer))
    }, delayMs)
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    base,
    fetches: () => fetches,
    serve: (a) => { answer = a },
    delay: (ms) => { delayMs = ms },
    discovery: (d) => { doc = d },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}

interface SigningKey { kid: string; jwk: JWK; privateKey: CryptoKey }
async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  return { kid, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' }, privateKey }
}
/** `kid: null` signs a token that names no key. */
const sign = (key: SigningKey, kid: string | null = key.kid) =>
  new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', ...(kid === null ? {} : { kid }) }).setExpirationTime('1h').sign(key.privateKey)

let keyA: SigningKey
let keyB: SigningKey
beforeAll(async () => {
  ;[keyA, keyB] = await Promise.all([signingKey('a'), signingKey('b')])
})

function clock() {
  let t = Date.now()
  return { now: () => t, advance: (ms: number) => { t += ms } }
}
const ok = (o: JwtOutcome) => expect(o).toMatchObject({ ok: true })
const refused = (o: JwtOutcome, code: string) => expect(o).toMatchObject({ ok: false, status: 401, code })

describe('JWKS cache', () => {
  test('a rotated key is picked up when a token names its kid, at most once per window', async () => {
    const idp = await startIdp()
    idp.serve({ keys: [keyA.jwk] })
    const c = clock()
    const v = await createJwtVerifier({ jwks_url: `${idp.base}/jwks` }, { fetch, now: c.now })
    ok(await v.verify(await sign(keyA)))
    expect(idp.fetches()).toBe(1)
    ok(await v.verify(await sign(keyA)))
    expect(idp.fetches()).toBe(1) // cached

    idp.serve({ keys: [keyA.jwk, keyB.jwk] })
    c.advance(1_000)
    refused(await v.verify(await sign(keyB)), 'jwt_key_unknown') // inside the 10 s window: no fetch
    expect(idp.fetches()).toBe(1)
    c.advance(10_000)
    idp.delay(50)
    // Every concurrent request naming the new kid waits for the one shared fetch and verifies.
    const concurrent = await Promise.all(Array.from({ length: 20 }, async () => v.verify(await sign(keyB))))
    for (const o of concurrent) ok(o)
    expect(idp.fetches()).toBe(2)
    ok(await v.verify(await sign(keyA)))
  })

  test('500 tokens with random unknown kids in parallel cost at most one fetch per window', async () => {
    const idp = await startIdp()
    idp.serve({ keys: [keyA.jwk] })
    idp.delay(50)
    const c = clock()
    const cache = createJwksCache({ url: `${idp.base}/jwks`, fetch, now: c.now })
    const v = await createJwtVerifier({ jwks_url: `${idp.base}/jwks` }, { fetch, now: c.now })
    ok(await v.verify(await sign(keyA)))
    expect(idp.fetches()).toBe(1)
    const forged = await Promise.all(Array.from({ length: 500 }, () => sign(keyA, crypto.randomUUID())))
    const flood = async () => {
      for (const o of await Promise.all(forged.map((t) => v.verify(t)))) refused(o, 'jwt_key_unknown')
    }

    c.advance(10_000)
    await flood()
    expect(idp.fetches()).toBe(2) // one shared re-fetch for all 500
    await flood()
    expect(idp.fetches()).toBe(2) // same window: none
    c.advance(10_000)
    await flood()
    expect(idp.fetches()).toBe(3)
    ok(await v.verify(await sign(keyA))) // the real key still works throughout

    // The same through the cache on its own, counted by stats().
    const misses = await Promise.allSettled(Array.from({ length: 500 }, () => cache({ alg: 'RS256', kid: crypto.randomUUID() })))
    expect(misses.every((m) => m.status === 'rejected' && (m.reason as JwksError).code === 'jwks_key_unknown')).toBe(true)
    expect(cache.stats()).toMatchObject({ fetches: 1, failures: 0, keys: 1 })
    await Promise.all([cache.refresh(), cache.refresh(), cache.refresh()]) // explicit refreshes share one fetch too
    expect(cache.stats().fetches).toBe(2)
  })

  test('JWKS endpoint down: the cached keys keep verifying', async () => {
    const idp = await startIdp()
    idp.serve({ keys: [keyA.jwk] })
    const c = clock()
    const cache = createJwksCache({ url: `${idp.base}/jwks`, fetch, now: c.now, refreshIntervalMs: 60_000 })
    await expect(cache({ alg: 'RS256', kid: 'a' })).resolves.toBeDefined()
    const v = await createJwtVerifier({ jwks_url: `${idp.base}/jwks`, jwks_refresh_interval: 60_000 }, { fetch, now: c.now })
    ok(await v.verify(await sign(keyA)))
    await idp.close()

    c.advance(120_000) // older than the refresh interval: a background refresh starts and fails
    ok(await v.verify(await sign(keyA)))
    await expect(cache({ alg: 'RS256', kid: 'a' })).resolves.toBeDefined()
    await vi.waitFor(() => expect(cache.stats().failures).toBe(1))
    expect(cache.stats()).toMatchObject({ fetches: 2, keys: 1 })
    expect(cache.stats().lastError).toBeTruthy()
    c.advance(11_000)
    refused(await v.verify(await sign(keyB)), 'jwt_key_unknown') // an unknown kid cannot be fetched
    ok(await v.verify(await sign(keyA)))
  })

  test('garbage from the JWKS endpoint: stale keys kept', async () => {
    const idp = await startIdp()
    idp.serve({ keys: [keyA.jwk] })
    const c = clock()
    const cache = createJwksCache({ url: `${idp.base}/jwks`, fetch, now: c.now })
    await cache({ alg: 'RS256', kid: 'a' })
    for (const garbage of ['{"keys": [', '<html>oops</html>', '{"keys": "none"}', JSON.stringify({ keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] }), JSON.stringify({ keys: [] }), 503]) {
      idp.serve(garbage)
      c.advance(11_000)
      await cache.refresh()
      await expect(cache({ alg: 'RS256', kid: 'a' })).resolves.toBeDefined()
    }
    expect(cache.stats()).toMatchObject({ fetches: 7, failures: 6, keys: 1 })
    idp.serve({ keys: [keyB.jwk] }) // the endpoint recovers with a rotated set: the old key goes
    c.advance(11_000)
    await cache.refresh()
    await expect(cache({ alg: 'RS256', kid: 'b' })).resolves.toBeDefined()
    await expect(cache({ alg: 'RS256', kid: 'a' })).rejects.toMatchObject({ code: 'jwks_key_unknown' })
  })

  test('a key removed from the set stops verifying after the background refresh', async () => {
    const idp = await startIdp()
    idp.serve({ keys: [keyA.jwk, keyB.jwk] })
    const c = clock()
    const v = await createJwtVerifier({ jwks_url: `${idp.base}/jwks`, jwks_refresh_interval: 300_000 }, { fetch, now: c.now })
    ok(await v.verify(await sign(keyA)))
    idp.serve({ keys: [keyB.jwk] })
    c.advance(300_000)
    ok(await v.verify(await sign(keyA))) // served from the cache while the refresh runs
    await vi.waitFor(() => expect(idp.fetches()).toBe(2))
    // The refreshed set is imported asynchronously after the fetch: poll rather than guess a delay
    // (a fixed 20 ms was too short once under CI load).
    await vi.waitFor(async () => refused(await v.verify(await sign(keyA)), 'jwt_key_unknown'), { timeout: 3000, interval: 20 })
    ok(await v.verify(await sign(keyB)))
  })

  test('keys are filtered by use, key_ops, alg, type and privacy', async () => {
    const idp = await startIdp()
    const pub = await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey)
    const priv = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)
    idp.serve({
      keys: [
        { ...keyA.jwk, kid: 'enc', use: 'enc' },
        { ...keyA.jwk, kid: 'ops', use: undefined, key_ops: ['encrypt'] },
        { ...keyA.jwk, kid: 'rs384', alg: 'RS384' },
        { ...priv, kid: 'private' },
        { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'oct' },
        { ...keyA.jwk, kid: 'good' },
        { ...pub, kid: 'no-alg' },
      ],
    })
    const cache = createJwksCache({ url: `${idp.base}/jwks`, fetch, algorithms: ['RS256', 'HS256'] })
    await expect(cache({ alg: 'RS256', kid: 'good' })).resolves.toBeDefined()
    await expect(cache({ alg: 'RS256', kid: 'no-alg' })).resolves.toBeDefined()
    for (const kid of ['enc', 'ops', 'rs384', 'private']) await expect(cache({ alg: 'RS256', kid })).rejects.toBeInstanceOf(JwksError)
    await expect(cache({ alg: 'HS256', kid: 'oct' })).rejects.toMatchObject({ code: 'jwks_key_unknown' })
    expect(cache.stats().keys).toBe(2)
  })

  test('a token without kid: the only key for its alg, or refused when there are several', async () => {
    const idp = await startIdp()
    idp.serve({ keys: [keyA.jwk] })
    const v = await createJwtVerifier({ jwks_url: `${idp.base}/jwks` }, { fetch })
    ok(await v.verify(await sign(keyA, null)))
    idp.serve({ keys: [keyA.jwk, keyB.jwk] })
    const v2 = await createJwtVerifier({ jwks_url: `${idp.base}/jwks` }, { fetch })
    refused(await v2.verify(await sign(keyA, null)), 'jwt_key_unknown')
  })

  test('a hanging endpoint times out: 401 jwt_key_unavailable, not a hung request', async () => {
    const idp = await startIdp()
    const cache = createJwksCache({ url: `${idp.base}/hang`, fetch, timeoutMs: 200 })
    const started = Date.now()
    await expect(cache({ alg: 'RS256', kid: 'a' })).rejects.toMatchObject({ code: 'jwks_unavailable' })
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(cache.stats()).toMatchObject({ fetches: 1, failures: 1 })
    const v = await createJwtVerifier({ jwks_url: 'http://127.0.0.1:9/jwks' }, { fetch }) // nothing listens on port 9
    refused(await v.verify(await sign(keyA)), 'jwt_key_unavailable')
  })

  test('the JWKS URL must be https (plain http only on loopback)', () => {
    expect(() => createJwksCache({ url: 'http://idp.example/jwks', fetch })).toThrow(/must use https/)
    expect(() => createJwksCache({ url: 'jwks.json', fetch })).toThrow(/not an absolute URL/)
    expect(() => createJwksCache({ url: 'http://localhost:8080/jwks', fetch })).not.toThrow()
  })
})

describe('OIDC discovery', () => {
  test('issuer → /.well-known/openid-configuration → jwks_uri, usable by the verifier', async () => {
    const idp = await startIdp()
    idp.serve({ keys: [keyA.jwk] })
    idp.discovery({ issuer: idp.base, jwks_uri: `${idp.base}/jwks` })
    const url = await discoverJwksUrl(idp.base, fetch)
    expect(url).toBe(`${idp.base}/jwks`)
    expect(await discoverJwksUrl(`${idp.base}/.well-known/openid-configuration`, fetch)).toBe(url)
    const v = await createJwtVerifier({ jwks_url: url, issuer: idp.base }, { fetch })
    ok(await v.verify(await new SignJWT({ sub: 'alice', iss: idp.base }).setProtectedHeader({ alg: 'RS256', kid: 'a' }).sign(keyA.privateKey)))
  })

  test('a document for another issuer, without jwks_uri, or with a clear-text jwks_uri is refused', async () => {
    const idp = await startIdp()
    idp.discovery({ issuer: 'https://evil.example', jwks_uri: `${idp.base}/jwks` })
    await expect(discoverJwksUrl(idp.base, fetch)).rejects.toThrow(/issuer is "https:\/\/evil.example"/)
    idp.discovery({ issuer: idp.base })
    await expect(discoverJwksUrl(idp.base, fetch)).rejects.toThrow(/no jwks_uri/)
    idp.discovery({ issuer: idp.base, jwks_uri: 'http://idp.example/jwks' })
    await expect(discoverJwksUrl(idp.base, fetch)).rejects.toThrow(/must use https/)
    await expect(discoverJwksUrl(`${idp.base}/missing`, fetch)).rejects.toThrow(/HTTP 404/)
  })
})
