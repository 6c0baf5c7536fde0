import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { expect, test } from 'vitest'
import { createJwtVerifier } from '../../../../src/policies/auth/jwt.ts'

test('jwks_url naming an OIDC discovery document is resolved to its jwks_uri at start', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  let base = ''
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'application/json' })
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/keys` }))
    else res.end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const v = await createJwtVerifier({ jwks_url: `${base}/.well-known/openid-configuration`, algorithm: 'RS256', issuer: base }, { fetch })
    const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(base).setExpirationTime('5m').sign(privateKey)
    expect(await v.verify(token)).toMatchObject({ ok: true, clientId: 'u1' })
    expect(hits).toContain('/.well-known/openid-configuration')
    expect(hits).toContain('/keys')
    await expect(createJwtVerifier({ jwks_url: 'http://127.0.0.1:1/.well-known/openid-configuration' }, { fetch })).rejects.toThrow(/jwks_url: OIDC discovery failed/)
  } finally {
    server.close()
  }
})
