import { describe, expect, test } from 'vitest'
import { requestIdFrom } from '../../../src/observability/request-id.ts'

describe('request ids', () => {
  test('a sane client id is kept, an unsafe one replaced by a UUID', () => {
    expect(requestIdFrom(new Headers({ 'x-request-id': 'abc-123' }))).toBe('abc-123')
    expect(requestIdFrom(new Headers({ 'x-request-id': 'a b' }))).toMatch(/^[0-9a-f-]{36}$/)
    expect(requestIdFrom(new Headers())).toMatch(/^[0-9a-f-]{36}$/)
  })
})
