/**
 * JWT attacks against a live gateway verifying with keys from a real JWKS endpoint: every
 * forged, expired, misdirected or tampered token is refused with 401 (403 for a missing scope)
 * and never reaches the upstream; a flood of unknown key ids does not become a fetch storm.
 */
import { SignJWT, importPKCS8 } from 'jose'
import { describe, expect, inject, test } from 'vitest'
import { base } from './client.ts'

const C = inject('upC')
const pem = inject('jwtPrivatePem')
const rsaPublicPem = inject('rsaPublicPem')
const ISS = 'https://issuer.conformance.test'
const AUD = 'portico-api'

const b64u = (s: string | Uint8Array) => Buffer.from(s).toString('base64url')

async function token(claims: Record<string, unknown> = {}, opts: { kid?: string; alg?: string; header?: Record<string, unknown> } = {}) {
  const alg = opts.alg ?? 'RS256'
  const kid = opts.kid ?? (alg === 'ES256' ? 'ec-1' : 'rsa-1')
  const key = await importPKCS8(pem[alg === 'ES256' ? 'ec-1' : 'rsa-1']!, alg)
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ sub: 'user-42', plan: 'gold', ...claims })
    .setProtectedHeader({ alg, kid, ...opts.header })
    .setIssuer((claims.iss as string) ?? ISS)
    .setAudience((claims.aud as string) ?? AUD)
    .setIssuedAt(now)
    .setExpirationTime((claims.exp as number) ?? now + 300)
    .sign(key)
}

async function hitsOfC(reset = false): Promise<number> {
  return ((await (await fetch(`${C}/__control${reset ? '?reset=1' : ''}`)).json()) as { hits: number }).hits
}

async function call(path: string, bearer: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers: bearer === null ? headers : { ...headers, authorization: `Bearer ${bearer}` } })
  const text = await res.text()
  let json: any = null
  try {
    json = JSON.parse(text)
  } catch {}
  return { res, status: res.status, json }
}

describe('JWT (JWKS)', () => {
  test('valid RS256 and ES256 tokens pass; claims go upstream and forged claim headers are replaced', async () => {
    const r = await call('/jwt/x', await token(), { 'x-user-id': 'admin', 'x-plan': 'platinum' })
    expect(r.status).toBe(200)
    expect(r.json.headers['x-user-id']).toBe('user-42')
    expect(r.json.headers['x-plan']).toBe('gold')
    expect(r.json.headers['x-client-id']).toBe('user-42')
    expect((await call('/jwt/x', await token({}, { alg: 'ES256' }))).status).toBe(200)
  })

  test('forged, expired, misdirected and tampered tokens: 401 with a Bearer challenge, no upstream hit', async () => {
    const good = await token()
    const [h, p, s] = good.split('.')
    const now = Math.floor(Date.now() / 1000)
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString())
    const { createHmac } = await import('node:crypto')
    const hsHeader = b64u(JSON.stringify({ alg: 'HS256', kid: 'rsa-1', typ: 'JWT' }))
    const hsBody = b64u(JSON.stringify(payload))
    const hsSig = createHmac('sha256', rsaPublicPem).update(`${hsHeader}.${hsBody}`).digest('base64url')
    const attacks: Record<string, string> = {
      'alg none': `${b64u(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${p}.`,
      'HS256 signed with the RSA public key': `${hsHeader}.${hsBody}.${hsSig}`,
      expired: await token({ exp: now - 120 }),
      'not yet valid': await token({ nbf: now + 600 }),
      'wrong issuer': await token({ iss: 'https://evil.example' }),
      'wrong audience': await token({ aud: 'another-api' }),
      'tampered payload': `${h}.${b64u(JSON.stringify({ ...payload, sub: 'admin' }))}.${s}`,
      'tampered signature': `${h}.${p}.${s!.slice(0, -4)}AAAA`,
      'embedded jwk header': await token({}, { header: { jwk: { kty: 'oct', k: 'AAAA' } } }),
      'jku header': await token({}, { header: { jku: 'https://evil.example/jwks.json' } }),
      'garbage': 'not.a.jwt',
    }
    await hitsOfC(true)
    for (const [name, t] of Object.entries(attacks)) {
      const r = await call('/jwt/x', t)
      expect(r.status, name).toBe(401)
      expect(r.res.headers.get('www-authenticate'), name).toMatch(/^Bearer realm="portico"/)
      expect(r.json.error.request_id, name).toBe(r.res.headers.get('x-request-id'))
    }
    const none = await call('/jwt/x', null)
    expect(none.status).toBe(401)
    expect(await hitsOfC()).toBe(0)
  })

  test('the token may come in the configured cookie; a forged one there is refused too', async () => {
    expect((await call('/jwt/x', null, { cookie: `theme=dark; portico_token=${await token()}` })).status).toBe(200)
    const forged = `${b64u(JSON.stringify({ alg: 'none' }))}.${b64u(JSON.stringify({ sub: 'admin' }))}.`
    expect((await call('/jwt/x', null, { cookie: `portico_token=${forged}` })).status).toBe(401)
  })

  test('a token without the route scope: 403 insufficient_scope; with it: 200', async () => {
    const r = await call('/jwt-scoped', await token({ scope: 'orders:read' }))
    expect(r.status).toBe(403)
    expect(r.res.headers.get('www-authenticate')).toContain('insufficient_scope')
    expect((await call('/jwt-scoped', await token({ scope: 'orders:read orders:write' }))).status).toBe(200)
    expect((await call('/jwt-scoped', await token({ scp: ['orders:write'] }))).status).toBe(200)
  })

  test('a flood of unknown key ids causes at most one JWKS re-fetch', async () => {
    const stats = async () => ((await (await fetch(inject('jwksStatsUrl'))).json()) as { fetches: number }).fetches
    const before = await stats()
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => token({}, { kid: `rogue-${i}-${Math.random()}` })))
    const results = await Promise.all(tokens.map((t) => call('/jwt/x', t)))
    expect(results.every((r) => r.status === 401)).toBe(true)
    expect((await stats()) - before).toBeLessThanOrEqual(1)
  })
})
