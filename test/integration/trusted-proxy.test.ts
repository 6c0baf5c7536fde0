/**
 * Client addresses from a trusted proxy, black-box on Node, Bun and Deno: the gateway trusts
 * X-Forwarded-For only from `trusted_proxies` (here the test's own 127.0.0.1), and an
 * IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) is matched against IPv4 rules — it can neither
 * dodge a deny list nor fail an allow list.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root, startPortico } from '../conformance/global-setup.ts'

describe.each(['node', 'bun', 'deno'])('trusted proxies and mapped addresses on %s', (runtime) => {
  it('XFF from a trusted peer sets the client address; ::ffff:a.b.c.d is matched as IPv4', async () => {
    const file = join(root, '.test-out', `trusted-proxy-${runtime}.yaml`)
    writeFileSync(
      file,
      [
        'listeners: [{ id: public, address: "127.0.0.1:0" }]',
        'admin: { enabled: false }',
        'logging: { access_log: false, level: warn }',
        'trusted_proxies: { cidrs: ["127.0.0.1/32", "::1/128"], max_hops: 1 }',
        'routes:',
        '  - { id: deny, path: /deny, echo: true, ip_filter: { deny: ["10.0.0.0/8"] } }',
        '  - { id: allow, path: /allow, echo: true, ip_filter: { allow: ["10.0.0.0/8"] } }',
      ].join('\n'),
    )
    const gw = startPortico(runtime, file, {}, join(root, '.test-out', `trusted-proxy-${runtime}.log`))
    try {
      const base = (await gw.ready).listeners.public
      const status = async (path: string, xff: string) => (await fetch(base + path, { headers: { 'x-forwarded-for': xff } })).status
      expect(await status('/deny', '10.1.2.3')).toBe(403)
      expect(await status('/deny', '::ffff:10.1.2.3')).toBe(403)
      expect(await status('/deny', '::ffff:a01:203')).toBe(403) // the same address in hex form
      expect(await status('/deny', '192.0.2.1')).toBe(200)
      expect(await status('/allow', '::ffff:10.1.2.3')).toBe(200)
      expect(await status('/allow', '10.9.9.9')).toBe(200)
      expect(await status('/allow', '192.0.2.1')).toBe(403)
      // max_hops 1: only the right-most entry counts; a client cannot prepend its own.
      expect(await status('/allow', '10.1.2.3, 192.0.2.1')).toBe(403)
    } finally {
      await gw.stop()
    }
  })
})
