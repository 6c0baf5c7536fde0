/**
 * Wycheproof JSON Web Signature vectors (test/fixtures/wycheproof: C2SP/wycheproof, Apache-2.0,
 * see SOURCE.txt and LICENSE there) run through the verifier's own signature layer: verifyJws
 * (strict compact parsing, header rules, allow-list, jose) with keys chosen the way the module
 * chooses them — asymmetric groups through createJwksCache (the group's JWK served as the key
 * set), `oct` groups through keyFromJwk (the same HMAC import `secret` uses). Payloads are raw
 * bytes, not JWT claims, so the claims layer is not involved. The allow-list is every supported
 * algorithm: refusals must come from the key binding, not from a narrow list.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { JWK, JWSHeaderParameters } from 'jose'
import { beforeAll, describe, expect, test } from 'vitest'
import { createJwksCache, keyFromJwk, SUPPORTED_ALGORITHMS } from '../../../../src/policies/auth/jwks.ts'
import { TokenRefused, verifyJws } from '../../../../src/policies/auth/jwt.ts'

interface Vector { tcId: number; comment: string; jws: string; result: 'valid' | 'invalid'; flags: string[] }
interface Group { comment: string; public?: JWK; private?: JWK; tests: Vector[] }

const file = JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/wycheproof/json_web_signature_test.json'), 'utf8')) as { numberOfTests: number; testGroups: Group[] }

/** "valid" vectors our policy refuses on purpose. */
const REFUSED_BY_POLICY: Record<number, string> = {
  346: 'the JWK declares alg PS256, the token uses PS384: a key verifies only the alg it declares (RFC 7517 §4.4, RFC 8725 §3.1); the same rule is what refuses the PS512-key vectors 332/334/336/338/340 that Wycheproof marks invalid',
  347: 'the JWK declares alg "ES521" (no such registered algorithm), the token uses ES512: a key verifies only the alg it declares',
  350: 'as 346 (key_ops variant)',
  351: 'as 347 (key_ops variant)',
  372: '"?" inside the header segment is not base64url (RFC 7515 §2); accepting it takes the lenient decoding that vectors 360-366 and 371 require us to refuse',
  373: '"?" inside the payload segment is not base64url (RFC 7515 §2), as 372',
}

/** "invalid" vectors no verifier can refuse: their bytes equal a vector marked valid. */
const VECTOR_DEFECTS: Record<number, string> = {
  367: 'invalidBase64Padding: the stored jws is byte-identical to valid vector 357 (the padding it is named after is absent)',
  370: 'invalidBase64PaddingInPayload: byte-identical to valid vector 357, as 367',
}

function resolverFor(group: Group) {
  const jwk = group.public ?? group.private!
  if (jwk.kty !== 'oct') {
    return createJwksCache({ url: 'https://wycheproof.test/jwks', fetch: async () => Response.json({ keys: [jwk] }) })
  }
  return async (header: JWSHeaderParameters) => {
    const key = await keyFromJwk(jwk, String(header.alg), true)
    if (key === null) throw new TokenRefused('jwt_key_unknown')
    return key
  }
}

const vectors = file.testGroups.flatMap((group) => group.tests.map((v) => ({ group, v })))
const accepted = new Map<number, boolean>()

beforeAll(async () => {
  for (const group of file.testGroups) {
    const resolve = resolverFor(group)
    for (const v of group.tests) {
      try {
        await verifyJws(v.jws, resolve, SUPPORTED_ALGORITHMS)
        accepted.set(v.tcId, true)
      } catch (err) {
        // Anything but a typed refusal would be a crash in the verifier, not a verdict.
        expect(err).toBeInstanceOf(TokenRefused)
        accepted.set(v.tcId, false)
      }
    }
  }
})

describe('Wycheproof json_web_signature_test.json', () => {
  test('the fixture is complete', () => {
    expect(vectors).toHaveLength(file.numberOfTests)
    expect(vectors).toHaveLength(401)
  })

  test.each(vectors.map(({ group, v }) => [`${group.comment} #${v.tcId} ${v.comment}: ${v.result}`, v] as const))('%s', (_name, v) => {
    const exception = REFUSED_BY_POLICY[v.tcId] ?? VECTOR_DEFECTS[v.tcId]
    if (exception !== undefined) {
      expect(v.result).toBe(REFUSED_BY_POLICY[v.tcId] !== undefined ? 'valid' : 'invalid')
      expect(accepted.get(v.tcId)).toBe(VECTOR_DEFECTS[v.tcId] !== undefined)
      return
    }
    expect(accepted.get(v.tcId)).toBe(v.result === 'valid')
  })

  test('the defects really are copies of a valid vector', () => {
    const byId = new Map(vectors.map(({ v }) => [v.tcId, v]))
    for (const id of Object.keys(VECTOR_DEFECTS)) expect(byId.get(Number(id))!.jws).toBe(byId.get(357)!.jws)
  })

  test('counts', () => {
    const valid = vectors.filter(({ v }) => v.result === 'valid')
    const invalid = vectors.filter(({ v }) => v.result === 'invalid')
    const counts = {
      total: vectors.length,
      valid: valid.length,
      validAccepted: valid.filter(({ v }) => accepted.get(v.tcId)).length,
      validRefusedByPolicy: valid.filter(({ v }) => !accepted.get(v.tcId)).length,
      invalid: invalid.length,
      invalidRefused: invalid.filter(({ v }) => !accepted.get(v.tcId)).length,
      invalidAcceptedVectorDefects: invalid.filter(({ v }) => accepted.get(v.tcId)).length,
    }
    console.log('wycheproof JWS:', JSON.stringify(counts))
    expect(counts.validRefusedByPolicy).toBe(Object.keys(REFUSED_BY_POLICY).length)
    expect(counts.invalidAcceptedVectorDefects).toBe(Object.keys(VECTOR_DEFECTS).length)
    expect(counts.validAccepted + counts.validRefusedByPolicy + counts.invalidRefused + counts.invalidAcceptedVectorDefects).toBe(401)
  })
})
