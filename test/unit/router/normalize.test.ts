import { describe, expect, test } from 'vitest'
import { normalizePath } from '../../../src/router/normalize.ts'

describe('normalizePath', () => {
  test('a clean path comes back unchanged', () => {
    for (const p of ['/', '/api/users/7', '/api/users/', '/a-b_c~d.e', '/.well-known/x', '/a.b/c..d', '/caf%C3%A9']) {
      expect(normalizePath(p)).toBe(p)
    }
  })

  test('dot segments are removed (RFC 3986 §5.2.4) and never climb above the root', () => {
    expect(normalizePath('/a/./b/../c')).toBe('/a/c')
    expect(normalizePath('/../../etc/passwd')).toBe('/etc/passwd')
    expect(normalizePath('/a/b/..')).toBe('/a/')
    expect(normalizePath('/a/.')).toBe('/a/')
    expect(normalizePath('/..')).toBe('/')
    expect(normalizePath('/.')).toBe('/')
    expect(normalizePath('/a/../..')).toBe('/')
  })

  test('encoded dots count as dots: %2e%2e, .%2E and %2E. are traversals too', () => {
    expect(normalizePath('/a/%2e%2E/b')).toBe('/b')
    expect(normalizePath('/a/.%2e/b')).toBe('/b')
    expect(normalizePath('/a/%2E./b')).toBe('/b')
    expect(normalizePath('/%2e%2e/%2e%2e/etc')).toBe('/etc')
    expect(normalizePath('/api/%2e%2e/admin')).toBe('/admin')
    expect(normalizePath('/a/%2e/b')).toBe('/a/b')
  })

  test('duplicate slashes collapse; a trailing slash is kept as given', () => {
    expect(normalizePath('//api//users')).toBe('/api/users')
    expect(normalizePath('//a///b/')).toBe('/a/b/')
    expect(normalizePath('//')).toBe('/')
    expect(normalizePath('/a/b/')).toBe('/a/b/')
    expect(normalizePath('/a/b')).toBe('/a/b')
  })

  test('unreserved escapes are decoded; every other escape is kept, upper-cased', () => {
    expect(normalizePath('/%41b%7e%2D%5f%30')).toBe('/Ab~-_0')
    expect(normalizePath('/caf%c3%a9')).toBe('/caf%C3%A9')
    expect(normalizePath('/a%20b')).toBe('/a%20b')
    expect(normalizePath('/%3a%40')).toBe('/%3A%40')
    expect(normalizePath('/a/%7e/')).toBe('/a/~/')
  })

  test('%2F and %5C stay encoded, so they never split a segment', () => {
    expect(normalizePath('/files/a%2fb')).toBe('/files/a%2Fb')
    expect(normalizePath('/files/a%5cb')).toBe('/files/a%5Cb')
    expect(normalizePath('/a/..b%2Fc')).toBe('/a/..b%2Fc')
    expect(normalizePath('/a/x%2F...')).toBe('/a/x%2F...')
  })

  test('a dot segment hidden behind an encoded slash is refused (an upstream might decode it)', () => {
    for (const p of ['/public/..%2f..%2fadmin', '/public/%2e%2e%2Fx', '/public/%2E%2E%2Fx', '/a/b%2F..', '/a/.%5Cb', '/a/..%5c..%5cwin']) {
      expect(normalizePath(p), p).toBeNull()
    }
  })

  test('a literal backslash is a slash, as WHATWG URL treats it for http(s)', () => {
    expect(normalizePath('/a\\b')).toBe('/a/b')
    expect(normalizePath('/public\\..\\admin')).toBe('/admin')
    expect(normalizePath('/a\\\\b\\')).toBe('/a/b/')
  })

  test('malformed escapes, NUL, control characters and relative paths are invalid', () => {
    for (const p of ['/a%zz', '/a%2', '/a%', '/%', '/a%0g', '/a%00b', '/a\u0000b', '/a\nb', '/a\u007fb', 'relative', '', '*']) {
      expect(normalizePath(p), JSON.stringify(p)).toBeNull()
    }
  })

  test('on arbitrary input the result is null or canonical: rooted, no empty/dot segments, idempotent', () => {
    const parts = ['a', 'b', '.', '..', '/', '//', '%2e', '%2E', '%2f', '%5C', '\\', '%41', '%', '%7e', '%c3', '~', '%2e%2e']
    let seed = 12345
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed
    }
    let valid = 0
    for (let n = 0; n < 5000; n++) {
      let p = '/'
      const len = 1 + (next() % 10)
      for (let k = 0; k < len; k++) p += parts[next() % parts.length]
      const out = normalizePath(p)
      if (out === null) continue
      valid++
      expect(out.startsWith('/'), p).toBe(true)
      expect(out.includes('//'), p).toBe(false)
      const segments = out.slice(1).split('/')
      segments.pop() // the last may be '' (a trailing slash)
      for (const s of segments) expect(['', '.', '..'].includes(s), `${p} → ${out}`).toBe(false)
      for (const hidden of out.split(/\/|%2F|%5C/)) expect(hidden === '.' || hidden === '..', `${p} → ${out}`).toBe(false)
      const last = out.slice(out.lastIndexOf('/') + 1)
      expect(last === '.' || last === '..', p).toBe(false)
      expect(/%(?![0-9A-F]{2})/.test(out), p).toBe(false)
      expect(out.includes('\\'), p).toBe(false)
      expect(normalizePath(out), p).toBe(out)
    }
    expect(valid).toBeGreaterThan(1000)
  })
})
