import { describe, expect, test } from 'vitest'
import { HeaderList } from '../../../src/core/headers.ts'

describe('HeaderList (the upstream request fields)', () => {
  test('set replaces the first field of that name and drops the others, case-insensitively', () => {
    const h = new HeaderList()
    h.append('X-A', '1')
    h.append('x-b', '2')
    h.append('x-a', '3')
    h.set('X-a', 'new')
    expect(h.flat).toEqual(['x-a', 'new', 'x-b', '2'])
    h.set('x-c', 'c')
    expect(h.flat).toEqual(['x-a', 'new', 'x-b', '2', 'x-c', 'c'])
  })

  test('get combines repeated fields as Headers does; has and delete ignore case', () => {
    const h = new HeaderList()
    h.append('accept', 'a')
    h.append('Accept', 'b')
    expect(h.get('ACCEPT')).toBe('a, b')
    expect(new Headers(h.pairs()).get('accept')).toBe('a, b')
    expect(h.has('Accept')).toBe(true)
    h.delete('ACCEPT')
    expect(h.has('accept')).toBe(false)
    expect(h.get('accept')).toBeNull()
    expect(h.flat).toEqual([])
  })
})
