import { describe, expect, test } from 'vitest'
import { compileStatusPatterns, resolveHealthCheck } from '../../../src/upstream/health.ts'

describe('health-check config', () => {
  test('expected_status patterns 200, 2xx and 200-299', () => {
    const ok = compileStatusPatterns(['204', '3xx', '400-404'])
    expect([204, 301, 399, 400, 404].every(ok)).toBe(true)
    expect([200, 405, 500].some(ok)).toBe(false)
  })

  test('global → upstream → route merge: later layers win, defaults fill the rest', () => {
    const c = resolveHealthCheck({ interval: 5000, path: '/g' }, { path: '/u' }, undefined)!
    expect(c).toMatchObject({ path: '/u', interval: 5000, timeout: 5000, healthy_after: 2, unhealthy_after: 3, method: 'GET' })
    expect(resolveHealthCheck(undefined, undefined)).toBeNull()
  })
})

describe('health-check layering down to the backend', () => {
  test('a backend block overrides upstream and global settings', () => {
    const c = resolveHealthCheck({ interval: 5000 }, { path: '/u', unhealthy_after: 4 }, undefined, { path: '/b' })!
    expect(c).toMatchObject({ path: '/b', interval: 5000, unhealthy_after: 4 })
  })
})
