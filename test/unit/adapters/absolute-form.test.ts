import { describe, expect, test } from 'vitest'
import { absoluteForm } from '../../../adapters/server/node-http/listener.ts'

describe('absolute-form request targets (RFC 9112 §3.2.2)', () => {
  test('authority and origin-form path are split; an empty path is /', () => {
    expect(absoluteForm('http://api.example.com/a/b?q=1')).toEqual({ authority: 'api.example.com', path: '/a/b?q=1' })
    expect(absoluteForm('HTTPS://h:8443')).toEqual({ authority: 'h:8443', path: '/' })
    expect(absoluteForm('http://h?x=1')).toEqual({ authority: 'h', path: '/?x=1' })
    expect(absoluteForm('http://[::1]:80/p')).toEqual({ authority: '[::1]:80', path: '/p' })
  })

  test('what is no http(s) absolute URI, or carries userinfo (RFC 9110 §4.2.4), is refused', () => {
    for (const t of ['*', 'ftp://h/', 'http:///p', 'http://user@h/', 'http://h/p#frag', 'h/p', 'http://h /p']) {
      expect(absoluteForm(t), t).toBeNull()
    }
  })
})
