import { describe, expect, test } from 'vitest'
import { createHeaderTransformer } from '../../../src/policies/transform.ts'

const vars = { request_id: 'rid-1', remote_addr: '10.0.0.1', host: 'h', method: 'GET', path: '/p' }

describe('header transforms', () => {
  test('remove, then set, then add, with $variables', () => {
    const t = createHeaderTransformer({ remove: ['Server'], set: { 'X-Id': '$request_id' }, add: { 'X-From': 'ip=$remote_addr' } })!
    const h = new Headers({ server: 'nginx', 'x-id': 'client-sent', 'x-from': 'a' })
    t(h, vars)
    expect(h.get('server')).toBeNull()
    expect(h.get('x-id')).toBe('rid-1')
    expect(h.get('x-from')).toBe('a, ip=10.0.0.1')
  })
})
