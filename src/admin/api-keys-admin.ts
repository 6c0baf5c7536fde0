/**
 * Admin endpoints for API keys kept in the shared store (`authentication.api_key.store: true`):
 *   POST   /api-keys        {client_id, roles?, expires_at?, key?} → 201 {id, key, …} (key shown once)
 *   GET    /api-keys/:id    → the record without the key
 *   DELETE /api-keys/:id    → 204; the key stops working on the next request
 * Only the key's SHA-256 digest is stored; the public id is the digest's first 16 hex digits.
 * @module
 */
import type { Hono } from 'hono'
import { type StoredApiKey, storedIdName, storedKeyName } from '../policies/auth/api-key.ts'
import { sha256Hex } from '../policies/auth/types.ts'
import type { Store } from '../core/store.ts'

function randomKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(32))
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const fail = (status: 400 | 404 | 503, code: string, message: string) => ({ body: { error: { status, code, message } }, status })

export function mountApiKeyAdmin(app: Hono, store: Store): void {
  app.post('/api-keys', async (c) => {
    let input: { client_id?: unknown; roles?: unknown; expires_at?: unknown; key?: unknown }
    try {
      input = await c.req.json()
    } catch {
      const f = fail(400, 'bad_request', 'body must be JSON')
      return c.json(f.body, f.status)
    }
    const roles = input.roles ?? []
    if (typeof input.client_id !== 'string' || input.client_id === '' || !Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
      const f = fail(400, 'bad_request', 'client_id (string) is required; roles must be a list of strings')
      return c.json(f.body, f.status)
    }
    if (input.expires_at !== undefined && (typeof input.expires_at !== 'string' || Number.isNaN(Date.parse(input.expires_at)))) {
      const f = fail(400, 'bad_request', 'expires_at must be an ISO 8601 date')
      return c.json(f.body, f.status)
    }
    if (input.key !== undefined && (typeof input.key !== 'string' || input.key.length < 16)) {
      const f = fail(400, 'bad_request', 'key, when given, must be a string of at least 16 characters')
      return c.json(f.body, f.status)
    }
    const key = (input.key as string | undefined) ?? randomKey()
    const hex = await sha256Hex(key)
    const record: StoredApiKey = {
      id: hex.slice(0, 16),
      client_id: input.client_id,
      roles: roles as string[],
      ...(input.expires_at !== undefined ? { expires_at: input.expires_at as string } : {}),
      created_at: new Date().toISOString(),
    }
    try {
      await store.set(storedKeyName(hex), JSON.stringify(record))
      await store.set(storedIdName(record.id), hex)
    } catch {
      const f = fail(503, 'store_unavailable', 'the store did not accept the key')
      return c.json(f.body, f.status)
    }
    return c.json({ ...record, key }, 201)
  })

  async function recordOf(id: string): Promise<{ hex: string; record: StoredApiKey } | null> {
    const hex = await store.get(storedIdName(id))
    if (hex === null) return null
    const raw = await store.get(storedKeyName(hex))
    return raw === null ? null : { hex, record: JSON.parse(raw) as StoredApiKey }
  }

  app.get('/api-keys/:id', async (c) => {
    const found = await recordOf(c.req.param('id'))
    if (found === null) {
      const f = fail(404, 'not_found', 'no such API key')
      return c.json(f.body, f.status)
    }
    return c.json(found.record)
  })

  app.delete('/api-keys/:id', async (c) => {
    const found = await recordOf(c.req.param('id'))
    if (found === null) {
      const f = fail(404, 'not_found', 'no such API key')
      return c.json(f.body, f.status)
    }
    await store.delete(storedKeyName(found.hex))
    await store.delete(storedIdName(c.req.param('id')))
    return c.body(null, 204)
  })
}
