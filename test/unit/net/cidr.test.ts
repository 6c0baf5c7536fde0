import { describe, expect, test } from 'vitest'
import { compileCidrs } from '../../../src/net/cidr.ts'
import { createClientIpResolver } from '../../../src/net/client-ip.ts'
import { parseIp } from '../../../src/net/ip.ts'

describe('IP and CIDR', () => {
  test('IPv4, IPv4-mapped IPv6 and IPv6 parse; junk does not', () => {
    expect(parseIp('10.0.0.1')).toEqual(parseIp('::ffff:10.0.0.1'))
    expect(parseIp('::1')).toEqual([0, 0, 0, 1])
    expect(parseIp('2001:db8::8:800:200c:417a')).not.toBeNull()
    for (const bad of ['10.0.0', '10.0.0.256', '1::2::3', 'abc', '', '1.2.3.4.5', '12345::']) expect(parseIp(bad)).toBeNull()
  })

  test('a CIDR set matches inside its blocks only, for both families', () => {
    const set = compileCidrs(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'], 'x')
    expect(set.has('10.255.3.4')).toBe(true)
    expect(set.has('::ffff:10.1.1.1')).toBe(true)
    expect(set.has('11.0.0.1')).toBe(false)
    expect(set.has('192.168.1.7')).toBe(true)
    expect(set.has('192.168.1.8')).toBe(false)
    expect(set.has('2001:db8:ffff::1')).toBe(true)
    expect(set.has('2001:db9::1')).toBe(false)
    expect(set.has('not-an-ip')).toBe(false)
  })

  test('a bad CIDR names its config path', () => {
    expect(() => compileCidrs(['10.0.0.0/8', '10.0.0.0/33'], 'trusted_proxies.cidrs')).toThrow(
      'trusted_proxies.cidrs.1: "10.0.0.0/33" has an invalid prefix length',
    )
  })
})

describe('client IP resolution', () => {
  const xff = (v: string) => new Headers({ 'x-forwarded-for': v })

  test('without trusted proxies a forged X-Forwarded-For is ignored', () => {
    const resolve = createClientIpResolver({ cidrs: [], headers: ['X-Forwarded-For'], max_hops: 0 })
    expect(resolve('203.0.113.9', xff('1.2.3.4'))).toBe('203.0.113.9')
  })

  test('behind a trusted proxy the rightmost untrusted hop is the client', () => {
    const resolve = createClientIpResolver({ cidrs: ['10.0.0.0/8'], headers: ['X-Forwarded-For'], max_hops: 0 })
    expect(resolve('10.0.0.2', xff('6.6.6.6, 198.51.100.7, 10.0.0.9'))).toBe('198.51.100.7')
    expect(resolve('::ffff:10.0.0.2', xff('198.51.100.7'))).toBe('198.51.100.7')
    // an untrusted peer cannot use the header at all
    expect(resolve('198.51.100.1', xff('1.1.1.1'))).toBe('198.51.100.1')
  })

  test('max_hops bounds how far left the walk goes', () => {
    const resolve = createClientIpResolver({ cidrs: ['10.0.0.0/8'], headers: ['X-Forwarded-For'], max_hops: 1 })
    expect(resolve('10.0.0.2', xff('198.51.100.7, 10.0.0.9'))).toBe('10.0.0.2')
  })
})
