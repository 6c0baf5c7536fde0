import { describe, expect, test } from 'vitest'
import { cookieValue } from '../../../src/http/cookies.ts'

describe('cookieValue', () => {
  test('first match, quotes removed, prefixes not confused', () => {
    expect(cookieValue('a=1; session=abc; sessionx=zzz', 'session')).toBe('abc')
    expect(cookieValue('xsession=1; session="q"', 'session')).toBe('q')
    expect(cookieValue(null, 'session')).toBeNull()
  })
})
