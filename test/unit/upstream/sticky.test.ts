/**
 * Runway `sticky` (traffic-split group pinning), in process: the real pipeline with a fake
 * upstream that answers with the backend it was sent to, so each answer names its group.
 */
import { describe, expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { fnv32a, groupForHash } from '../../../src/upstream/sticky.ts'
import { testGateway } from '../../helpers/gateway-request.ts'

const route = (sticky: string, extra = '') => `
routes:
  - id: ab
    path: /ab
    traffic_split:
      - { name: stable, weight: 50, backends: [{ url: "http://stable.test" }] }
      - { name: canary, weight: 50, backends: [{ url: "http://canary.test" }]${extra} }
    sticky: ${sticky}
`

async function gateway(sticky: string, extra = '') {
  return testGateway(route(sticky, extra), (req) => new Response(new URL(req.url).hostname.split('.')[0]))
}

function issues(yaml: string): string[] {
  const res = parseConfig(yaml, 'f.yaml', { env: {} })
  return res.ok ? [] : formatIssues(res.issues).split('\n')
}

describe('sticky hash (Runway: FNV-32a over the weight slots)', () => {
  test('FNV-1a 32-bit test vectors, over UTF-8 bytes', () => {
    expect(fnv32a('')).toBe(0x811c9dc5)
    expect(fnv32a('a')).toBe(0xe40c292c)
    expect(fnv32a('foobar')).toBe(0xbf9cf968)
    // "é" is two UTF-8 bytes, 0xc3 0xa9: hashed as bytes, not as one UTF-16 unit.
    let h = 0x811c9dc5
    for (const b of [0xc3, 0xa9]) h = Math.imul(h ^ b, 0x01000193) >>> 0
    expect(fnv32a('é')).toBe(h)
  })

  test('the slot is hash % total weight, cumulative over the groups in order', () => {
    const groups = [{ name: 'a', weight: 30 }, { name: 'b', weight: 70 }].map((g) => ({ ...g, pool: null as never }))
    for (const input of ['u1', 'u2', 'user-42', '10.0.0.7']) {
      const slot = fnv32a(input) % 100
      expect(groupForHash(input, groups, 100)?.name, input).toBe(slot < 30 ? 'a' : 'b')
    }
    expect(groupForHash('x', groups.map((g) => ({ ...g, weight: 0 })), 0)).toBeNull()
  })
})

describe('sticky modes pin a client to one split group; different clients spread', () => {
  test('cookie: the first answer sets the group cookie, later requests with it keep that group', async () => {
    const gw = await gateway('{ enabled: true, mode: cookie }')
    const seen = new Set<string>()
    for (let c = 0; c < 20; c++) {
      const first = await gw.request('/ab')
      const group = await first.text()
      seen.add(group)
      expect(first.headers.get('x-ab-variant')).toBe(group)
      const setCookie = first.headers.get('set-cookie')
      expect(setCookie).toBe(`X-Traffic-Group=${group}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax`)
      for (let i = 0; i < 10; i++) {
        const res = await gw.request('/ab', { headers: { cookie: `other=1; X-Traffic-Group=${group}` } })
        expect(await res.text()).toBe(group)
        expect(res.headers.get('set-cookie')).toBeNull() // already pinned
      }
    }
    expect([...seen].sort()).toEqual(['canary', 'stable'])
  })

  test('cookie: a cookie naming no group pins nothing (weights decide, and a valid cookie is set)', async () => {
    const gw = await gateway('{ mode: cookie, cookie_name: grp, ttl: 1h }')
    const res = await gw.request('/ab', { headers: { cookie: 'grp=retired' } })
    const group = await res.text()
    expect(res.headers.get('set-cookie')).toBe(`grp=${group}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax`)
  })

  test('header: the hash_key header picks the group (Runway slot rule); without it weights decide', async () => {
    const gw = await gateway('{ enabled: true, mode: header, hash_key: X-User-ID }')
    const seen = new Set<string>()
    for (let u = 0; u < 20; u++) {
      const user = `user-${u}`
      const expected = fnv32a(user) % 100 < 50 ? 'stable' : 'canary'
      for (let i = 0; i < 5; i++) {
        const res = await gw.request('/ab', { headers: { 'x-user-id': user } })
        expect(await res.text(), user).toBe(expected)
        expect(res.headers.get('x-ab-variant')).toBe(expected)
        expect(res.headers.get('set-cookie')).toBeNull()
      }
      seen.add(expected)
    }
    expect(seen.size).toBe(2)
    // No header, one client address: not pinned, so both groups show up.
    const anon = new Set<string>()
    for (let i = 0; i < 40; i++) anon.add(await (await gw.request('/ab')).text())
    expect(anon.size).toBe(2)
  })

  test('hash: the header when present, else the client address', async () => {
    const gw = await gateway('{ enabled: true, mode: hash, hash_key: X-Session-ID }')
    const byIp = new Set<string>()
    for (let n = 1; n <= 20; n++) {
      const ip = `198.51.100.${n}`
      const expected = fnv32a(ip) % 100 < 50 ? 'stable' : 'canary'
      for (let i = 0; i < 5; i++) expect(await (await gw.request('/ab', { remoteAddr: ip })).text(), ip).toBe(expected)
      byIp.add(expected)
    }
    expect(byIp.size).toBe(2)
    const session = 'sess-7'
    const expected = fnv32a(session) % 100 < 50 ? 'stable' : 'canary'
    for (let n = 1; n <= 10; n++) {
      expect(await (await gw.request('/ab', { remoteAddr: `198.51.100.${n}`, headers: { 'x-session-id': session } })).text()).toBe(expected)
    }
  })

  test('a sticky pin comes before match_headers (Runway order); match_headers still routes the unpinned', async () => {
    const gw = await gateway('{ mode: cookie }', ', match_headers: { X-Canary: "1" }')
    expect(await (await gw.request('/ab', { headers: { 'x-canary': '1' } })).text()).toBe('canary')
    const res = await gw.request('/ab', { headers: { 'x-canary': '1', cookie: 'X-Traffic-Group=stable' } })
    expect(await res.text()).toBe('stable')
  })

  test('with session_affinity too, the pinned backend wins and X-AB-Variant names its group', async () => {
    const yaml = `${route('{ mode: cookie }')}    session_affinity: { cookie_name: be }\n`
    const gw = await testGateway(yaml, (req) => new Response(new URL(req.url).hostname.split('.')[0]))
    let canaryPin = ''
    for (let i = 0; i < 40 && canaryPin === ''; i++) {
      const res = await gw.request('/ab', { headers: { cookie: 'X-Traffic-Group=canary' } })
      expect(await res.text()).toBe('canary')
      canaryPin = (res.headers.get('set-cookie') ?? '').match(/be=[0-9a-z]+/)?.[0] ?? ''
    }
    const res = await gw.request('/ab', { headers: { cookie: `X-Traffic-Group=stable; ${canaryPin}` } })
    expect(await res.text()).toBe('canary')
    expect(res.headers.get('x-ab-variant')).toBe('canary')
    expect(res.headers.get('set-cookie')).toContain('X-Traffic-Group=canary;')
  })

  test('enabled: false turns it off (no mode needed, no variant header)', async () => {
    const gw = await gateway('{ enabled: false }')
    const res = await gw.request('/ab')
    expect(res.headers.get('x-ab-variant')).toBeNull()
    expect(res.headers.get('set-cookie')).toBeNull()
  })
})

describe('sticky validation (Runway validators.go rules)', () => {
  test('mode is required; hash_key is required for header and hash; the mode must be known', () => {
    expect(issues(route('{ enabled: true }'))).toEqual(['f.yaml: routes.0.sticky.mode: is required: cookie, header or hash (line 8)'])
    expect(issues(route('{ mode: header }'))).toEqual([
      'f.yaml: routes.0.sticky.hash_key: is required for mode: header (the request header whose value picks the group) (line 8)',
    ])
    expect(issues(route('{ mode: hash }'))[0]).toContain('routes.0.sticky.hash_key: is required for mode: hash')
    expect(issues(route('{ mode: ip }'))[0]).toContain('routes.0.sticky.mode:')
  })

  test('sticky needs traffic_split; backend affinity is session_affinity', () => {
    const yaml = 'routes:\n  - id: r\n    path: /r\n    backends: [{ url: "http://a.test" }]\n    sticky: { mode: cookie }\n'
    expect(issues(yaml)).toEqual([
      'f.yaml: routes.0.sticky: needs traffic_split: sticky pins a client to a split group (session_affinity pins it to a backend) (line 5)',
    ])
    // The affinity keys are not sticky's: a Portico-1 config that used sticky for affinity is told.
    expect(issues(route('{ mode: cookie, cookie_name: pin, path: / }'))[0]).toContain('routes.0.sticky.path: unknown key "path"')
  })
})
