import { describe, expect, test } from 'vitest'
import { base, getJson } from './client.ts'

describe('traffic split and session affinity', () => {
  test('weighted groups share traffic (3:1) and match_headers pins the canary', async () => {
    const counts: Record<string, number> = { A: 0, B: 0 }
    for (let i = 0; i < 200; i++) counts[(await getJson('/split/x')).json.server]++
    // 3:1 over 200 requests: B expected 50; a binomial 4-sigma band is about ±24.
    expect(counts.B).toBeGreaterThan(25)
    expect(counts.B).toBeLessThan(80)
    for (let i = 0; i < 10; i++) expect((await getJson('/split/x', { headers: { 'x-canary': '1' } })).json.server).toBe('B')
  })

  test('a session cookie pins the client to the backend that served it first', async () => {
    const first = await fetch(`${base}/affinity/x`)
    const setCookie = first.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/^pin=[0-9a-z]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax/)
    expect(setCookie).not.toContain('127.0.0.1') // opaque token, not the backend address
    const server = (await first.json()).server
    const cookie = setCookie.split(';')[0]
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${base}/affinity/x`, { headers: { cookie } })
      expect((await res.json()).server).toBe(server)
      expect(res.headers.get('set-cookie')).toBeNull() // already pinned: no new cookie
    }
    // without the cookie, round robin spreads requests over both backends
    const seen = new Set<string>()
    for (let i = 0; i < 4; i++) seen.add((await getJson('/affinity/x')).json.server)
    expect(seen.size).toBe(2)
  })
})
