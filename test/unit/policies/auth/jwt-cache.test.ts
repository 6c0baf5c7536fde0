import { SignJWT } from 'jose'
import { expect, test } from 'vitest'
import { createJwtVerifier } from '../../../../src/policies/auth/jwt.ts'

const secret = 'cache-test-secret-0123456789abcdef0123456789'

test('a remembered verdict never outlives exp, and failures are not remembered', async () => {
  let t = Date.now()
  const v = await createJwtVerifier({ secret, algorithm: 'HS256' }, { fetch, now: () => t })
  const exp = Math.floor(t / 1000) + 10
  const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(secret))
  const first = await v.verify(token)
  expect(first.ok).toBe(true)
  expect(await v.verify(token)).toBe(first) // the same verdict object: served from the cache
  t = exp * 1000 + 1
  expect(await v.verify(token)).toMatchObject({ ok: false, code: 'jwt_expired' })
  const bad = `${token.slice(0, -2)}AA`
  expect((await v.verify(bad)).ok).toBe(false)
  expect((await v.verify(bad)).ok).toBe(false)
})
