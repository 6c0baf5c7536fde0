/**
 * The JWT verifier against the documented contract: every algorithm family verifies, and the
 * known attacks (alg none, key confusion, embedded keys, tampering, bad times, wrong
 * issuer/audience/scope) are refused with the right status and challenge.
 */
import { type CryptoKey, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT } from 'jose'
import { beforeAll, describe, expect, test } from 'vitest'
import type { JwtOptions } from '../../../../src/config/types-auth.ts'
import { claimHeaderValue, createJwtVerifier, forwardedHeaderNames, type JwtOutcome, type KeyResolver, TokenRefused, verifyJws } from '../../../../src/policies/auth/jwt.ts'

const NOW = 1_750_000_000_000
const sec = (ms: number) => Math.floor(ms / 1000)
const deps = { fetch: (() => Promise.reject(new Error('no network in this test'))) as typeof fetch, now: () => NOW }
const SECRET = 'portico-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789' // 68 bytes: enough for HS512
const secretBytes = new TextEncoder().encode(SECRET)
const ISS = 'https://idp.example'
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'alice', iss: ISS, aud: 'orders', iat: sec(NOW), exp: sec(NOW) + 300, ...extra })

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

/** A compact JWS built by hand, so headers jose would refuse to produce can be tested. */
async function rawToken(header: Record<string, unknown>, payload: unknown, hmacKey?: Uint8Array<ArrayBuffer>): Promise<string> {
  const input = `${b64(header)}.${b64(payload)}`
  if (hmacKey === undefined) return `${input}.`
  const key = await crypto.subtle.importKey('raw', hmacKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return `${input}.${Buffer.from(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input))).toString('base64url')}`
}

function expectRefused(outcome: JwtOutcome, code: string, status: 401 | 403 = 401) {
  expect(outcome).toMatchObject({ ok: false, status, code })
  if (!outcome.ok && status === 401) {
    expect(outcome.wwwAuthenticate).toBe(`Bearer realm="portico", error="invalid_token", error_description="${outcome.message}"`)
  }
}

let rsa: { publicKey: CryptoKey; privateKey: CryptoKey; pem: string }
let attacker: { publicKey: CryptoKey; privateKey: CryptoKey }

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true })
  rsa = { ...pair, pem: await exportSPKI(pair.publicKey) }
  attacker = await generateKeyPair('RS256', { extractable: true })
})

const rsaOptions = (extra: Partial<JwtOptions> = {}): JwtOptions => ({ public_key: rsa.pem, algorithm: 'RS256', issuer: ISS, audience: ['orders', 'billing'], clock_skew: 30_000, ...extra })
const signRsa = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'RS256', ...header }).sign(rsa.privateKey)

describe('every algorithm family verifies a valid token', () => {
  test.each(['HS256', 'HS384', 'HS512'])('%s with secret', async (alg) => {
    const v = await createJwtVerifier({ secret: SECRET, algorithm: alg }, deps)
    const token = await new SignJWT(claims()).setProtectedHeader({ alg }).sign(secretBytes)
    expect(await v.verify(token)).toMatchObject({ ok: true, clientId: 'alice' })
  })

  test.each(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'])('%s with a PEM public key', async (alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
    const v = await createJwtVerifier({ public_key: await exportSPKI(publicKey), algorithm: alg }, deps)
    expect(v.algorithms).toEqual([alg])
    const token = await new SignJWT(claims()).setProtectedHeader({ alg }).sign(privateKey)
    expect(await v.verify(token)).toMatchObject({ ok: true, clientId: 'alice' })
  })

  test('defaults: HS256 with secret, RS256 with public_key or jwks_url', async () => {
    expect((await createJwtVerifier({ secret: SECRET }, deps)).algorithms).toEqual(['HS256'])
    expect((await createJwtVerifier({ public_key: rsa.pem }, deps)).algorithms).toEqual(['RS256'])
    expect((await createJwtVerifier({ public_key: rsa.pem.replaceAll('\n', '\\n') }, deps)).algorithms).toEqual(['RS256']) // PEM from an env var
    expect((await createJwtVerifier({ jwks_url: 'https://idp.example/jwks' }, deps)).algorithms).toEqual(['RS256'])
  })

  test('secret and public key together, each algorithm verified against its own key', async () => {
    const v = await createJwtVerifier({ secret: SECRET, public_key: rsa.pem, algorithm: ['HS256', 'RS256'] }, deps)
    expect((await v.verify(await signRsa(claims()))).ok).toBe(true)
    expect((await v.verify(await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(secretBytes))).ok).toBe(true)
  })
})

describe('attacks are refused', () => {
  test('alg none (any spelling) gets 401 whatever the signature part holds', async () => {
    const v = await createJwtVerifier(rsaOptions(), deps)
    for (const alg of ['none', 'None', 'NONE']) {
      expectRefused(await v.verify(await rawToken({ alg }, claims())), 'jwt_algorithm_refused')
      expectRefused(await v.verify(`${(await rawToken({ alg }, claims())).slice(0, -1)}.c2ln`), 'jwt_algorithm_refused')
    }
  })

  test('HS256 signed with the RSA public key PEM as HMAC secret is refused (key confusion)', async () => {
    const forged = await rawToken({ alg: 'HS256' }, claims(), new TextEncoder().encode(rsa.pem))
    // RS256-only verifier: HS256 is not on the allow-list.
    expectRefused(await (await createJwtVerifier(rsaOptions(), deps)).verify(forged), 'jwt_algorithm_refused')
    // Both kinds configured: HS256 is checked against the secret, never against the PEM.
    const both = await createJwtVerifier({ ...rsaOptions(), secret: SECRET, algorithm: ['HS256', 'RS256'] }, deps)
    expectRefused(await both.verify(forged), 'jwt_signature_invalid')
    // And jose itself will not run HMAC with an RSA CryptoKey, even if a resolver handed it one.
    const confused: KeyResolver = () => rsa.publicKey
    await expect(verifyJws(forged, confused, ['HS256', 'RS256'])).rejects.toMatchObject({ code: 'jwt_signature_invalid' })
  })

  test('an HS algorithm cannot be configured against a public key at all', async () => {
    await expect(createJwtVerifier({ public_key: rsa.pem, algorithm: 'HS256' }, deps)).rejects.toThrow(/HS256 needs secret/)
    await expect(createJwtVerifier({ jwks_url: 'https://idp.example/jwks', algorithm: ['RS256', 'HS256'] }, deps)).rejects.toThrow(/needs secret/)
  })

  test('an algorithm outside the allow-list is refused even with the right key', async () => {
    const v = await createJwtVerifier(rsaOptions(), deps)
    for (const alg of ['RS384', 'PS256']) {
      // The same RSA private key, re-imported for the other algorithm.
      const sameKey = await importPKCS8(await exportPKCS8(rsa.privateKey), alg)
      const token = await new SignJWT(claims()).setProtectedHeader({ alg }).sign(sameKey)
      expectRefused(await v.verify(token), 'jwt_algorithm_refused')
    }
  })

  test('tampered payload and tampered signature', async () => {
    const v = await createJwtVerifier(rsaOptions(), deps)
    const [h, , s] = (await signRsa(claims())).split('.')
    expectRefused(await v.verify(`${h}.${b64(claims({ sub: 'admin' }))}.${s}`), 'jwt_signature_invalid')
    const flipped = (s![0] === 'A' ? 'B' : 'A') + s!.slice(1)
    expectRefused(await v.verify(`${h}.${b64(claims())}.${flipped}`), 'jwt_signature_invalid')
  })

  test('a key embedded in or pointed at by the header (jwk, jku, x5u, x5c) is never used', async () => {
    const v = await createJwtVerifier(rsaOptions(), deps)
    const embedded = { jwk: await exportJWK(attacker.publicKey), jku: 'https://evil.example/jwks', x5u: 'https://evil.example/cert.pem', x5c: ['MIIBIjANBgkq'] }
    for (const [name, value] of Object.entries(embedded)) {
      const own = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', [name]: value }).sign(attacker.privateKey)
      expectRefused(await v.verify(own), 'jwt_header_refused')
      // Even signed with the real key: the header itself is refused.
      expectRefused(await v.verify(await signRsa(claims(), { [name]: value })), 'jwt_header_refused')
    }
  })

  test('crit and b64 header parameters are refused (none are understood)', async () => {
    const v = await createJwtVerifier({ secret: SECRET }, deps)
    expectRefused(await v.verify(await rawToken({ alg: 'HS256', crit: ['exp'], exp: 1 }, claims(), secretBytes)), 'jwt_header_refused')
    expectRefused(await v.verify(await rawToken({ alg: 'HS256', crit: ['b64'], b64: false }, claims(), secretBytes)), 'jwt_header_refused')
  })

  test('exp, nbf and iat are checked with the clock skew, both ways', async () => {
    const v = await createJwtVerifier(rsaOptions({ clock_skew: 30_000 }), deps)
    const at = async (extra: Record<string, unknown>) => v.verify(await signRsa(claims(extra)))
    expect((await at({ exp: sec(NOW) - 29 })).ok).toBe(true)
    expectRefused(await at({ exp: sec(NOW) - 31 }), 'jwt_expired')
    expect((await at({ nbf: sec(NOW) + 29 })).ok).toBe(true)
    expectRefused(await at({ nbf: sec(NOW) + 31 }), 'jwt_not_yet_valid')
    expect((await at({ iat: sec(NOW) + 29 })).ok).toBe(true)
    expectRefused(await at({ iat: sec(NOW) + 31 }), 'jwt_issued_in_future')
    expectRefused(await at({ exp: '9999999999' }), 'jwt_claims_invalid')
    const strict = await createJwtVerifier(rsaOptions({ clock_skew: 0 }), deps)
    expectRefused(await strict.verify(await signRsa(claims({ exp: sec(NOW) }))), 'jwt_expired')
    expectRefused(await strict.verify(await signRsa(claims({ nbf: sec(NOW) + 1 }))), 'jwt_not_yet_valid')
  })

  test('issuer and audience are checked when configured', async () => {
    const v = await createJwtVerifier(rsaOptions(), deps)
    expectRefused(await v.verify(await signRsa(claims({ iss: 'https://evil.example' }))), 'jwt_issuer_invalid')
    expectRefused(await v.verify(await signRsa(claims({ iss: undefined }))), 'jwt_issuer_invalid')
    expectRefused(await v.verify(await signRsa(claims({ aud: 'someone-else' }))), 'jwt_audience_invalid')
    expectRefused(await v.verify(await signRsa(claims({ aud: undefined }))), 'jwt_audience_invalid')
    expect((await v.verify(await signRsa(claims({ aud: ['x', 'billing'] })))).ok).toBe(true)
  })

  test('a missing scope is 403 insufficient_scope naming the required scopes (RFC 6750 §3.1)', async () => {
    const v = await createJwtVerifier(rsaOptions({ required_scopes: ['orders:read', 'orders:write'] }), deps)
    const outcome = await v.verify(await signRsa(claims({ scope: 'orders:read profile' })))
    expect(outcome).toEqual({
      ok: false, status: 403, code: 'jwt_scope_insufficient', message: 'token lacks a required scope',
      wwwAuthenticate: 'Bearer error="insufficient_scope", scope="orders:read orders:write"',
    })
    expect(await v.verify(await signRsa(claims({ scope: 'orders:write orders:read' })))).toMatchObject({ ok: true, scopes: ['orders:write', 'orders:read'] })
    expect((await v.verify(await signRsa(claims({ scp: ['orders:read', 'orders:write'] })))).ok).toBe(true)
    expect((await v.verify(await signRsa(claims({ scp: 'orders:read orders:write' })))).ok).toBe(true)
  })

  test('malformed tokens: wrong segment count, padding, whitespace, stray bits, oversize', async () => {
    const v = await createJwtVerifier(rsaOptions(), deps)
    const good = await signRsa(claims())
    const [h, p, s] = good.split('.')
    for (const bad of ['', 'abc', `${h}.${p}`, `${good}.`, `${h}=.${p}.${s}`, `${h}.${p}.${s} `, `${h}.${p}. ${s}`, `${h}.${p}.${s!.slice(0, -1)}?`, `${h}.${'A'.repeat(20_000)}.${s}`]) {
      expectRefused(await v.verify(bad), 'jwt_malformed')
    }
    // A header that is not JSON, and a payload that is not a JSON object.
    const hs = await createJwtVerifier({ secret: SECRET }, deps)
    expectRefused(await hs.verify(`${b64('not json')}.${p}.${s}`), 'jwt_malformed')
    expectRefused(await hs.verify(await rawToken({ alg: 'HS256' }, '[1,2]', secretBytes)), 'jwt_claims_invalid')
  })

  test('no failure message or challenge repeats the token', async () => {
    const v = await createJwtVerifier(rsaOptions({ required_scopes: ['x'] }), deps)
    const tokens = [await signRsa(claims({ exp: 1 })), await signRsa(claims({ iss: 'nope' })), await signRsa(claims()), await rawToken({ alg: 'none' }, claims())]
    for (const token of tokens) {
      const outcome = await v.verify(token)
      expect(outcome.ok).toBe(false)
      for (const part of token.split('.').filter((x) => x.length > 8)) expect(JSON.stringify(outcome)).not.toContain(part)
    }
  })
})

describe('outcome', () => {
  test('no token: 401 with the bare challenge (RFC 6750 §3.1: no error code)', async () => {
    const v = await createJwtVerifier({ secret: SECRET }, deps)
    expect(v.challenge).toBe('Bearer realm="portico"')
    expect(await v.verify(null)).toEqual({ ok: false, status: 401, code: 'jwt_missing', message: 'bearer token required', wwwAuthenticate: 'Bearer realm="portico"' })
  })

  test('clientId is sub, else client_id, else azp', async () => {
    const v = await createJwtVerifier(rsaOptions(), deps)
    expect(await v.verify(await signRsa(claims({ sub: undefined, client_id: 'svc-a', azp: 'spa' })))).toMatchObject({ clientId: 'svc-a' })
    expect(await v.verify(await signRsa(claims({ sub: undefined, azp: 'spa' })))).toMatchObject({ clientId: 'spa' })
    expect(await v.verify(await signRsa(claims({ sub: undefined })))).toMatchObject({ ok: true, clientId: null })
  })

  test('forward_claims become request headers; CR/LF/NUL cannot inject a header', async () => {
    const forward_claims = { sub: 'X-User-ID', roles: 'X-Roles', tier: 'X-Tier', admin: 'X-Admin', org: 'X-Org', evil: 'X-Evil', name: 'X-Name', absent: 'X-Absent' }
    const v = await createJwtVerifier(rsaOptions({ forward_claims }), deps)
    expect(v.forwardedHeaders).toEqual(forwardedHeaderNames({ forward_claims }))
    expect(forwardedHeaderNames({ forward_claims })).toContain('x-user-id')
    const outcome = await v.verify(await signRsa(claims({ roles: ['admin', 'ops'], tier: 3, admin: false, org: { id: 7 }, evil: 'a\r\nX-Injected: 1\0b', name: 'Zoë 李' })))
    expect(outcome.ok).toBe(true)
    if (!outcome.ok) return
    expect(outcome.forward).toEqual([
      ['x-user-id', 'alice'], ['x-roles', 'admin,ops'], ['x-tier', '3'], ['x-admin', 'false'], ['x-org', '{"id":7}'],
      ['x-evil', 'aX-Injected: 1b'], ['x-name', String.fromCharCode(...new TextEncoder().encode('Zoë 李'))],
    ])
    const headers = new Headers()
    for (const [name, value] of outcome.forward) headers.set(name, value) // every value is a legal field value
    expect([...headers.keys()]).not.toContain('x-injected')
    expect(claimHeaderValue(null)).toBeNull()
  })

  test('extract(): Bearer from Authorization (any case), then cookie, then query parameter', async () => {
    const v = await createJwtVerifier({ secret: SECRET, cookie: 'access_token', query_param: 'token' }, deps)
    const req = (headers: Record<string, string>, query = '') => new Request(`http://gw.test/a${query}`, { headers })
    expect(v.extract(req({ authorization: 'Bearer abc.def.ghi' }))).toBe('abc.def.ghi')
    expect(v.extract(req({ authorization: 'bEaReR   abc.def.ghi ' }))).toBe('abc.def.ghi')
    expect(v.extract(req({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeNull()
    expect(v.extract(req({ cookie: 'theme=dark; access_token=from.cookie.x' }))).toBe('from.cookie.x')
    expect(v.extract(req({}, '?token=from.query.x'))).toBe('from.query.x')
    expect(v.extract(req({}, '?token=from.query.x'), new URL('http://gw.test/a?token=from.url.x'))).toBe('from.url.x')
    expect(v.extract(req({ authorization: 'Bearer from.header.x', cookie: 'access_token=c' }, '?token=q'))).toBe('from.header.x')
    expect(v.extract(req({}))).toBeNull()
    const headerOnly = await createJwtVerifier({ secret: SECRET }, deps)
    expect(headerOnly.extract(req({ cookie: 'access_token=c' }, '?token=q'))).toBeNull()
  })
})

describe('bad options fail at start with a clear error', () => {
  test.each<[string, () => Promise<Partial<JwtOptions>>, RegExp]>([
    ['no key source', async () => ({ issuer: ISS }), /one of secret, public_key or jwks_url is required/],
    ['empty secret', async () => ({ secret: '' }), /secret: is empty/],
    ['secret with RS256', async () => ({ secret: SECRET, algorithm: 'RS256' }), /RS256 needs public_key or jwks_url/],
    ['secret with HS256 and RS256', async () => ({ secret: SECRET, algorithm: ['HS256', 'RS256'] }), /RS256 needs public_key/],
    ['unknown algorithm', async () => ({ secret: SECRET, algorithm: 'HS999' }), /unknown algorithm "HS999"/],
    ['lower-case algorithm', async () => ({ public_key: rsa.pem, algorithm: 'rs256' }), /unknown algorithm "rs256"/],
    ['alg none', async () => ({ secret: SECRET, algorithm: ['HS256', 'none'] }), /never accepted/],
    ['empty allow-list', async () => ({ secret: SECRET, algorithm: [] }), /allow-list is empty/],
    ['short secret for HS256', async () => ({ secret: 'change-me' }), /is 9 bytes; HS256 needs at least 32/],
    ['short secret for HS512', async () => ({ secret: 'x'.repeat(40), algorithm: ['HS256', 'HS512'] }), /HS512 needs at least 64/],
    ['garbage public_key', async () => ({ public_key: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----' }), /public_key: is not a RSA key usable with RS256/],
    ['public_key not PEM', async () => ({ public_key: 'ssh-rsa AAAA' }), /must be a PEM public key/],
    ['private key as public_key', async () => ({ public_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' }), /is a private key/],
    ['EC key with the RS256 default', async () => ({ public_key: await exportSPKI((await generateKeyPair('ES256', { extractable: true })).publicKey) }), /not a RSA key usable with RS256/],
    ['P-256 key with ES384', async () => ({ public_key: await exportSPKI((await generateKeyPair('ES256', { extractable: true })).publicKey), algorithm: 'ES384' }), /usable with ES384/],
    ['public_key and jwks_url', async () => ({ public_key: rsa.pem, jwks_url: 'https://idp.example/jwks' }), /either public_key or jwks_url/],
    ['both kinds, no algorithm', async () => ({ secret: SECRET, public_key: rsa.pem }), /set it explicitly/],
    ['plain-http jwks_url', async () => ({ jwks_url: 'http://idp.example/jwks' }), /^authentication\.jwt\.jwks_url: .* must use https/],
    ['header name with a space', async () => ({ secret: SECRET, forward_claims: { sub: 'X User' } }), /forward_claims.sub: "X User" cannot carry a claim/],
    ['framing header', async () => ({ secret: SECRET, forward_claims: { sub: 'Content-Length' } }), /cannot carry a claim/],
    ['two claims, one header', async () => ({ secret: SECRET, forward_claims: { sub: 'X-Id', uid: 'x-id' } }), /same header/],
    ['scope with a quote', async () => ({ secret: SECRET, required_scopes: ['a"b'] }), /not a scope token/],
    ['negative clock_skew', async () => ({ secret: SECRET, clock_skew: -1 }), /clock_skew: must be a duration/],
  ])('%s', async (_name, options, message) => {
    await expect(createJwtVerifier((await options()) as JwtOptions, deps)).rejects.toThrow(message)
  })

  test('an RSA key under 2048 bits is refused (RFC 7518 §3.3)', async () => {
    const small = await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])
    const pem = await exportSPKI(small.publicKey)
    await expect(createJwtVerifier({ public_key: pem }, deps)).rejects.toThrow(/at least 2048 bits/)
  })

  test('errors name the config path and never a refusal class', async () => {
    const err = await createJwtVerifier({ secret: 'short' }, deps).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err).not.toBeInstanceOf(TokenRefused)
    expect((err as Error).message).toMatch(/^authentication\.jwt\.secret: /)
  })
})
