import { describe, expect, test } from 'vitest'
import { createPathRewriter, joinBasePath } from '../../../src/proxy/rewrite.ts'

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
