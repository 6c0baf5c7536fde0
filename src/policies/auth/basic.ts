/**
 * HTTP Basic (RFC 7617) against bcrypt hashes, with bcryptjs (pure JS: the same code on every
 * runtime, Workers included). bcrypt is deliberately slow (~50–100 ms at cost 10), so a verified
 * user:password pair is remembered for a minute as a SHA-256 digest (never the password), in a
 * bounded map; an unknown user still costs one bcrypt comparison, so timing does not reveal
 * which usernames exist.
 * @module
 */
import { compare } from 'bcryptjs'
import { type AuthMethod, refuse, sha256Hex } from './types.ts'

export interface BasicOptions {
  realm?: string
  users: { username: string; password_hash: string; client_id?: string; roles?: string[] }[]
}

const CACHE_MS = 60_000
const CACHE_MAX = 1024
// A valid bcrypt hash of a random string: compared against when the user is unknown.
const DUMMY_HASH = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8.Ijv/kgVQqJCM.8iyR9CuA0zHrX1m'

export function createBasicAuth(options: BasicOptions, now: () => number = Date.now): AuthMethod {
  const realm = (options.realm || 'portico').replace(/["\\]/g, '')
  const challenge = `Basic realm="${realm}", charset="UTF-8"`
  const users = new Map(options.users.map((u) => [u.username, u]))
  for (const [i, u] of options.users.entries()) {
    if (!/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(u.password_hash)) {
      throw new Error(`authentication.basic.users.${i}.password_hash: not a bcrypt hash ($2b$<cost>$…)`)
    }
  }
  const verified = new Map<string, number>()
  return {
    name: 'basic',
    challenge,
    forwardedHeaders: [],
    credential(request) {
      const auth = request.headers.get('authorization')
      if (auth === null || auth.length < 6 || auth.slice(0, 6).toLowerCase() !== 'basic ') return null
      return auth.slice(6).trim()
    },
    async verify(b64) {
      let decoded: string
      try {
        decoded = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))
      } catch {
        return refuse(401, 'invalid_credentials', 'malformed Basic credentials', challenge)
      }
      const colon = decoded.indexOf(':')
      if (colon === -1) return refuse(401, 'invalid_credentials', 'malformed Basic credentials', challenge)
      const name = decoded.slice(0, colon)
      const user = users.get(name)
      const digest = await sha256Hex(decoded)
      const t = now()
      let ok = (verified.get(digest) ?? 0) > t && user !== undefined
      if (!ok) {
        ok = (await compare(decoded.slice(colon + 1), user?.password_hash ?? DUMMY_HASH)) && user !== undefined
        if (ok) {
          if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!)
          verified.set(digest, t + CACHE_MS)
        }
      }
      if (!ok || user === undefined) return refuse(401, 'invalid_credentials', 'username or password not accepted', challenge)
      return { ok: true, clientId: user.client_id ?? user.username, roles: user.roles ?? [], scopes: [], claims: null, forward: [] }
    },
  }
}
