/**
 * API keys from a header (default X-API-Key) or a query parameter. Keys are held only as
 * SHA-256 digests: the presented key is hashed and looked up, then the digests are compared in
 * constant time — no per-key early exit, nothing kept in memory that would be a usable key.
 * `expires_at` is honoured; roles go to the route's `auth.roles` check. With `store: true`,
 * keys added through the admin API (`/api-keys`, stored by digest in the shared store) are
 * accepted too, and revoking one there takes effect on the next request — no reload.
 * @module
 */
import type { Store } from '../../core/store.ts'
import { type AuthMethod, refuse, sha256Hex, timingSafeEqualBytes } from './types.ts'

/** Store key of a stored API key record: by digest, so the store never holds a usable key. */
export const storedKeyName = (digestHex: string) => `apikey:${digestHex}`
/** Store key from a key's public id (the digest's first 16 hex digits) to its digest. */
export const storedIdName = (id: string) => `apikey-id:${id}`

export interface StoredApiKey {
  id: string
  client_id: string
  roles: string[]
  expires_at?: string
  created_at: string
}

export interface ApiKeyOptions {
  header?: string
  query_param?: string
  /** Also look keys up in `store` (admin-managed keys). */
  store?: boolean
  keys: { key: string; client_id?: string; name?: string; expires_at?: string; roles?: string[] }[]
}

interface KeyEntry {
  digest: Uint8Array
  clientId: string | null
  roles: string[]
  expiresAt: number
}

const CHALLENGE = 'ApiKey realm="portico"'

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export async function createApiKeyAuth(options: ApiKeyOptions, now: () => number = Date.now, store?: Store): Promise<AuthMethod> {
  const shared = options.store ? (store ?? null) : null
  if (options.store && shared === null) throw new Error('authentication.api_key.store: no shared store is available here')
  const header = (options.header || 'X-API-Key').toLowerCase()
  const query = options.query_param || null
  const byDigest = new Map<string, KeyEntry>()
  for (const [i, k] of options.keys.entries()) {
    const expiresAt = k.expires_at === undefined ? Number.POSITIVE_INFINITY : Date.parse(k.expires_at)
    if (Number.isNaN(expiresAt)) throw new Error(`authentication.api_key.keys.${i}.expires_at: not an ISO 8601 date: ${k.expires_at}`)
    const hex = await sha256Hex(k.key)
    byDigest.set(hex, { digest: hexBytes(hex), clientId: k.client_id ?? k.name ?? null, roles: k.roles ?? [], expiresAt })
  }
  return {
    name: 'api_key',
    challenge: CHALLENGE,
    forwardedHeaders: [],
    credential(request, url) {
      return request.headers.get(header) ?? (query === null ? null : url.searchParams.get(query))
    },
    async verify(presented) {
      const hex = await sha256Hex(presented)
      let entry = byDigest.get(hex)
      if (entry === undefined && shared !== null) {
        let raw: string | null
        try {
          raw = await shared.get(storedKeyName(hex))
        } catch {
          // Fail closed: a key that cannot be checked is not accepted.
          return refuse(401, 'api_key_unverifiable', 'API key could not be verified now', CHALLENGE)
        }
        if (raw !== null) {
          const rec = JSON.parse(raw) as StoredApiKey
          const expiresAt = rec.expires_at === undefined ? Number.POSITIVE_INFINITY : Date.parse(rec.expires_at)
          entry = { digest: hexBytes(hex), clientId: rec.client_id, roles: rec.roles, expiresAt }
        }
      }
      if (entry === undefined || !timingSafeEqualBytes(entry.digest, hexBytes(hex))) {
        return refuse(401, 'invalid_api_key', 'API key not recognised', CHALLENGE)
      }
      if (entry.expiresAt <= now()) return refuse(401, 'expired_api_key', 'API key has expired', CHALLENGE)
      return { ok: true, clientId: entry.clientId, roles: entry.roles, scopes: [], claims: null, forward: [] }
    },
  }
}
