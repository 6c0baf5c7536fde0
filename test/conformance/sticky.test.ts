/**
 * Runway `sticky` against a live gateway: a client is pinned to one traffic_split group (a on
 * backend A, b on backend B, 50:50) across requests, per mode, and different clients spread.
 */
import { describe, expect, test } from 'vitest'
import { base } from './client.ts'

const GROUP_OF_SERVER: Record<string, string> = { A: 'a', B: 'b' }

async function ask(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers })
  const server = ((await res.json()) as { server: string }).server
  return { server, variant: res.headers.get('x-ab-variant'), setCookie: res.headers.get('set-cookie') }
}

describe('sticky: traffic-split group pinning (Runway)', () => {
  test('cookie mode: the first answer sets X-Traffic-Group; with it every request keeps that group', async () => {
    const seen = new Set<string>()
    for (let c = 0; c < 20; c++) {
      const first = await ask('/group-cookie/x')
      expect(first.variant).toBe(GROUP_OF_SERVER[first.server])
      expect(first.setCookie).toBe(`X-Traffic-Group=${first.variant}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax`)
      const cookie = first.setCookie!.split(';')[0]
      for (let i = 0; i < 6; i++) {
        const next = await ask('/group-cookie/x', { cookie })
        expect(next.server, `client ${c}`).toBe(first.server)
        expect(next.setCookie).toBeNull()
      }
      seen.add(first.server)
    }
    // 20 fresh clients at 50:50 all landing in one group: p = 2^-19.
    expect([...seen].sort()).toEqual(['A', 'B'])
  })

  test('header mode: the X-User-ID value keeps a user in one group; users spread over both', async () => {
    const seen = new Set<string>()
    for (let u = 0; u < 16; u++) {
      const servers = new Set<string>()
      for (let i = 0; i < 5; i++) {
        const r = await ask('/group-header/x', { 'x-user-id': `user-${u}` })
        expect(r.variant).toBe(GROUP_OF_SERVER[r.server])
        expect(r.setCookie).toBeNull()
        servers.add(r.server)
      }
      expect(servers.size, `user-${u}`).toBe(1)
      seen.add([...servers][0])
    }
    expect([...seen].sort()).toEqual(['A', 'B'])
  })

  test('hash mode: the X-Session-ID value pins, and without it the client address does', async () => {
    const seen = new Set<string>()
    for (let s = 0; s < 16; s++) {
      const servers = new Set<string>()
      for (let i = 0; i < 5; i++) servers.add((await ask('/group-hash/x', { 'x-session-id': `sess-${s}` })).server)
      expect(servers.size, `sess-${s}`).toBe(1)
      seen.add([...servers][0])
    }
    expect([...seen].sort()).toEqual(['A', 'B'])
    // Every test client is 127.0.0.1: one address, one group (unit tests spread addresses).
    const byAddress = new Set<string>()
    for (let i = 0; i < 12; i++) byAddress.add((await ask('/group-hash/x')).server)
    expect(byAddress.size).toBe(1)
  })
})
