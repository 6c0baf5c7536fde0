import { Hono } from 'hono'
import { describe, expect, test } from 'vitest'
import { mountApiKeyAdmin } from '../../../../src/admin/api-keys-admin.ts'
import { createApiKeyAuth } from '../../../../src/policies/auth/api-key.ts'
import { createMemoryStore } from '../../../../src/store/memory-store.ts'

describe('API keys in the store (admin-managed)', () => {
  test('added through the admin API: works at once, revoked: refused at once; only the digest is stored', async () => {
    const store = createMemoryStore()
    const app = new Hono()
    mountApiKeyAdmin(app, store)
    const auth = await createApiKeyAuth({ store: true, keys: [] }, Date.now, store)
    const created = await app.request('/api-keys', { method: 'POST', body: JSON.stringify({ client_id: 'beta', roles: ['read'] }), headers: { 'content-type': 'application/json' } })
    expect(created.status).toBe(201)
    const { id, key } = (await created.json()) as { id: string; key: string }
    expect(key.length).toBeGreaterThanOrEqual(40)
    const ok = await auth.verify(key)
    expect(ok).toMatchObject({ ok: true, clientId: 'beta', roles: ['read'] })
    const shown = (await (await app.request(`/api-keys/${id}`)).json()) as Record<string, unknown>
    expect(shown.key).toBeUndefined()
    expect(shown.client_id).toBe('beta')
    expect((await app.request(`/api-keys/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect(await auth.verify(key)).toMatchObject({ ok: false, status: 401, code: 'invalid_api_key' })
    expect((await app.request(`/api-keys/${id}`)).status).toBe(404)
  })

  test('expired stored keys and bad admin input are refused; a store outage fails closed', async () => {
    const store = createMemoryStore()
    const app = new Hono()
    mountApiKeyAdmin(app, store)
    const res = await app.request('/api-keys', { method: 'POST', body: JSON.stringify({ client_id: 'old', expires_at: '2020-01-01T00:00:00Z', key: 'a-sufficiently-long-key' }) })
    expect(res.status).toBe(201)
    const auth = await createApiKeyAuth({ store: true, keys: [] }, Date.now, store)
    expect(await auth.verify('a-sufficiently-long-key')).toMatchObject({ ok: false, code: 'expired_api_key' })
    expect((await app.request('/api-keys', { method: 'POST', body: '{"roles":"x"}' })).status).toBe(400)
    expect((await app.request('/api-keys', { method: 'POST', body: 'nope' })).status).toBe(400)
    const down = { ...store, get: () => Promise.reject(new Error('down')) }
    const closed = await createApiKeyAuth({ store: true, keys: [] }, Date.now, down)
    expect(await closed.verify('whatever-key-value')).toMatchObject({ ok: false, status: 401, code: 'api_key_unverifiable' })
  })
})
