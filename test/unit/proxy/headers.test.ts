import { describe, expect, test } from 'vitest'
import { setForwardedHeaders } from '../../../src/proxy/forwarded.ts'
import { copyEndToEnd } from '../../../src/proxy/hop-by-hop.ts'
import { createPathRewriter, joinBasePath } from '../../../src/proxy/rewrite.ts'

describe('forwarded headers', () => {
  test('X-Forwarded-For is appended, Via names portico, proto/host replaced for untrusted peers', () => {
    const incoming = new Headers({ 'x-forwarded-for': '1.1.1.1', 'x-forwarded-host': 'evil', via: '1.0 fred' })
    const out = copyEndToEnd(incoming, new Set(['x-forwarded-for', 'via']))
    setForwardedHeaders(out, incoming, { peer: '127.0.0.1', proto: 'http', host: 'api.test', peerTrusted: false })
    expect(out.get('x-forwarded-for')).toBe('1.1.1.1, 127.0.0.1')
    expect(out.get('x-forwarded-host')).toBe('api.test')
    expect(out.get('x-forwarded-proto')).toBe('http')
    expect(out.get('via')).toBe('1.0 fred, 1.1 portico')
  })

  test('a trusted peer keeps its X-Forwarded-Proto/Host', () => {
    const incoming = new Headers({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example' })
    const out = copyEndToEnd(incoming)
    setForwardedHeaders(out, incoming, { peer: '10.0.0.1', proto: 'http', host: 'internal', peerTrusted: true })
    expect(out.get('x-forwarded-proto')).toBe('https')
    expect(out.get('x-forwarded-host')).toBe('public.example')
  })
})

describe('path rewriting', () => {
  test('strip_prefix removes the matched prefix and keeps the rest', () => {
    const r = createPathRewriter({ strip_prefix: true })!
    expect(r('/api/users/7', '/api')).toBe('/users/7')
    expect(r('/api', '/api')).toBe('/')
    expect(r('/api/', '/api/')).toBe('/')
  })

  test('rewrite.prefix replaces the matched prefix', () => {
    const r = createPathRewriter({ strip_prefix: false, rewrite: { prefix: '/v2/users' } })!
    expect(r('/api/users/7', '/api/users')).toBe('/v2/users/7')
    expect(r('/api/users', '/api/users')).toBe('/v2/users')
  })

  test('rewrite.regex with replacement groups', () => {
    const r = createPathRewriter({ strip_prefix: false, rewrite: { regex: '^/old/(\\w+)', replacement: '/new/$1' } })!
    expect(r('/old/thing/x', '/old')).toBe('/new/thing/x')
  })

  test('no rewrite configured compiles to nothing', () => {
    expect(createPathRewriter({ strip_prefix: false })).toBeNull()
  })

  test('backend base paths join without doubled slashes', () => {
    expect(joinBasePath('/base', '/x')).toBe('/base/x')
    expect(joinBasePath('/base/', '/x')).toBe('/base/x')
    expect(joinBasePath('', '/x')).toBe('/x')
  })
})
