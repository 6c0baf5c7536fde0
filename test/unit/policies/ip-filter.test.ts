import { describe, expect, test } from 'vitest'
import { createIpFilter } from '../../../src/policies/ip-filter.ts'
import { testGateway } from '../../helpers/gateway-request.ts'

describe('ip_filter', () => {
  test('an IPv4 allow list admits only its blocks', () => {
    const allowed = createIpFilter({ allow: ['10.0.0.0/8', '192.0.2.7'] }, 'ip_filter')
    expect(allowed('10.20.30.40')).toBe(true)
    expect(allowed('192.0.2.7')).toBe(true)
    expect(allowed('192.0.2.8')).toBe(false)
    expect(allowed('11.0.0.1')).toBe(false)
  })

  test('IPv6 blocks and single addresses, with brackets and zone ids tolerated', () => {
    const allowed = createIpFilter({ allow: ['2001:db8::/32', '::1'] }, 'ip_filter')
    expect(allowed('2001:db8:ffff::1')).toBe(true)
    expect(allowed('[2001:db8::5]')).toBe(true)
    expect(allowed('::1')).toBe(true)
    expect(allowed('2001:db9::1')).toBe(false)
    const denyLinkLocal = createIpFilter({ deny: ['fe80::/10'] }, 'ip_filter')
    expect(denyLinkLocal('fe80::1%eth0')).toBe(false)
    expect(denyLinkLocal('2001:db8::1')).toBe(true)
  })

  test('an IPv4-mapped IPv6 client cannot dodge an IPv4 deny', () => {
    const allowed = createIpFilter({ deny: ['10.0.0.0/8'] }, 'ip_filter')
    expect(allowed('::ffff:10.0.0.1')).toBe(false)
    expect(allowed('::FFFF:10.9.9.9')).toBe(false)
    expect(allowed('::ffff:a00:1')).toBe(false) // the same address in hex
    expect(allowed('::ffff:11.0.0.1')).toBe(true)
  })

  test('an IPv4-mapped entry matches the plain IPv4 client, and an IPv4 allow admits the mapped form', () => {
    const mappedDeny = createIpFilter({ deny: ['::ffff:192.0.2.0/120'] }, 'ip_filter')
    expect(mappedDeny('192.0.2.55')).toBe(false)
    expect(mappedDeny('192.0.3.1')).toBe(true)
    const v4Allow = createIpFilter({ allow: ['192.0.2.0/24'] }, 'ip_filter')
    expect(v4Allow('::ffff:192.0.2.55')).toBe(true)
    expect(v4Allow('::ffff:198.51.100.1')).toBe(false)
  })

  test('deny wins over allow', () => {
    const allowed = createIpFilter({ allow: ['10.0.0.0/8'], deny: ['10.66.0.0/16'] }, 'ip_filter')
    expect(allowed('10.1.2.3')).toBe(true)
    expect(allowed('10.66.1.1')).toBe(false)
  })

  test('an empty allow list admits everything not denied; unparseable addresses are refused', () => {
    const denyOnly = createIpFilter({ allow: [], deny: ['203.0.113.0/24'] }, 'ip_filter')
    expect(denyOnly('198.51.100.1')).toBe(true)
    expect(denyOnly('2001:db8::1')).toBe(true)
    expect(denyOnly('203.0.113.9')).toBe(false)
    expect(denyOnly('unknown')).toBe(false)
    expect(denyOnly('')).toBe(false)
    const none = createIpFilter({}, 'ip_filter')
    expect(none('198.51.100.1')).toBe(true)
  })

  test('a bad CIDR names the config path and the entry', () => {
    expect(() => createIpFilter({ allow: ['10.0.0.0/8', '10.0.0.0/33'] }, 'routes.3.ip_filter')).toThrow(
      'routes.3.ip_filter.allow.1: "10.0.0.0/33" has an invalid prefix length',
    )
    expect(() => createIpFilter({ deny: ['not-an-ip'] }, 'ip_filter')).toThrow('ip_filter.deny.0: "not-an-ip" is not an IP address or CIDR')
    expect(() => createIpFilter({ deny: ['2001:db8::/129'] }, 'ip_filter')).toThrow('ip_filter.deny.0: "2001:db8::/129" has an invalid prefix length')
  })

  test('entries that would silently widen a list are refused', () => {
    // An empty prefix would otherwise read as /0: every IPv4 address.
    expect(() => createIpFilter({ allow: ['10.0.0.0/'] }, 'ip_filter')).toThrow('ip_filter.allow.0: "10.0.0.0/" has an invalid prefix length')
    expect(() => createIpFilter({ allow: ['10.0.0.0/0x8'] }, 'ip_filter')).toThrow('invalid prefix length')
    // ::ffff:10.0.0.0/8 spans far more than 10/8 (all of IPv4, among others).
    expect(() => createIpFilter({ allow: ['::ffff:10.0.0.0/8'] }, 'ip_filter')).toThrow(
      'ip_filter.allow.0: "::ffff:10.0.0.0/8" is an IPv4-mapped prefix shorter than /96',
    )
  })

  test('global and route filters compose: global first, and a route cannot re-admit', async () => {
    const gw = await testGateway(`
ip_filter: { deny: ["203.0.113.0/24"] }
routes: [{ id: r, path: /r, echo: true, ip_filter: { allow: ["203.0.113.0/24", "198.51.100.0/24"] } }]`)
    expect((await gw.request('/r', { remoteAddr: '198.51.100.4' })).status).toBe(200)
    const denied = await gw.request('/r', { remoteAddr: '203.0.113.4' })
    expect(denied.status).toBe(403)
    expect((await denied.json()).error.code).toBe('ip_forbidden')
    expect((await gw.request('/r', { remoteAddr: '192.0.2.1' })).status).toBe(403)
    // The global filter refuses before routing: an unknown path is 403, not 404.
    expect((await gw.request('/nowhere', { remoteAddr: '203.0.113.4' })).status).toBe(403)
  })
})
