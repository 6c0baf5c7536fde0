import { describe, expect, test } from 'vitest'
import { normalizePath } from '../../../src/router/normalize.ts'
import { compileRouter, type RouteInput } from '../../../src/router/router.ts'

const noMatch = { domains: [], headers: [], query: [], cookies: [] }
function r(id: string, path: string, extra: Partial<RouteInput> = {}): RouteInput {
  return { id, path, path_prefix: false, methods: [], match: noMatch, ...extra }
}
function matchId(routes: RouteInput[], path: string, opts: { method?: string; host?: string; headers?: Record<string, string>; query?: string } = {}) {
  const m = compileRouter(routes).match(opts.method ?? 'GET', opts.host ?? 'h', path, new Headers(opts.headers), new URL(`http://h${path}${opts.query ?? ''}`))
  return m.kind === 'match' ? m.route.id : m.kind
}

describe('normalizePath', () => {
  test('clean paths come back as the same string', () => {
    const p = '/api/users/7'
    expect(normalizePath(p)).toBe(p)
  })
  test('dot segments, encoded dots and duplicate slashes are resolved, never above root', () => {
    expect(normalizePath('/a/./b/../c')).toBe('/a/c')
    expect(normalizePath('/a/%2e%2E/b')).toBe('/b')
    expect(normalizePath('/../../etc')).toBe('/etc')
    expect(normalizePath('//a///b/')).toBe('/a/b/')
    expect(normalizePath('/a/b/..')).toBe('/a/')
  })
  test('encoded slashes and backslashes are decoded and then normalised', () => {
    expect(normalizePath('/public/..%2f..%2fadmin')).toBe('/admin')
    expect(normalizePath('/public/..%5Csecret')).toBe('/secret')
  })
  test('unreserved escapes decode, others are upper-cased; malformed or NUL is invalid', () => {
    expect(normalizePath('/%41b%7e')).toBe('/Ab~')
    expect(normalizePath('/caf%c3%a9')).toBe('/caf%C3%A9')
    expect(normalizePath('/a%zz')).toBeNull()
    expect(normalizePath('/a%2')).toBeNull()
    expect(normalizePath('/a%00b')).toBeNull()
    expect(normalizePath('relative')).toBeNull()
  })
})

describe('router', () => {
  const routes = [
    r('api', '/api', { path_prefix: true }),
    r('users-prefix', '/api/users', { path_prefix: true }),
    r('users-exact', '/api/users', { methods: ['GET'] }),
    r('item', '/items/:id'),
    r('item-edit', '/items/:id/edit'),
    r('files', '/files/*'),
    r('root', '/', { path_prefix: true }),
  ]

  test('exact beats prefix; the longest prefix wins; whole segments only', () => {
    expect(matchId(routes, '/api/users')).toBe('users-exact')
    expect(matchId(routes, '/api/users/7')).toBe('users-prefix')
    expect(matchId(routes, '/api/users/')).toBe('users-prefix')
    expect(matchId(routes, '/api/usersx')).toBe('api')
    expect(matchId(routes, '/apix')).toBe('root')
  })

  test('a prefix written with a trailing slash matches the bare path too', () => {
    expect(matchId([r('p', '/api/', { path_prefix: true })], '/api')).toBe('p')
    expect(matchId([r('p', '/api/', { path_prefix: true })], '/api/x')).toBe('p')
  })

  test(':params and * capture, decoded, with strip prefix reported', () => {
    const router = compileRouter(routes)
    const m = router.match('GET', null, '/items/a%20b', new Headers(), new URL('http://h/items/a%20b'))
    expect(m).toMatchObject({ kind: 'match', params: { id: 'a b' }, matched: '/items' })
    expect(matchId(routes, '/items/1/edit')).toBe('item-edit')
    const f = router.match('GET', null, '/files/x/y.txt', new Headers(), new URL('http://h/files/x/y.txt'))
    expect(f).toMatchObject({ kind: 'match', params: { '*': 'x/y.txt' }, matched: '/files' })
  })

  test('405 lists what the matching routes allow, with HEAD for GET; HEAD matches GET', () => {
    const only = [r('g', '/x', { methods: ['GET'] }), r('p', '/x', { methods: ['PUT'] })]
    const m = compileRouter(only).match('DELETE', null, '/x', new Headers(), new URL('http://h/x'))
    expect(m).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'HEAD', 'PUT'] })
    expect(matchId(only, '/x', { method: 'HEAD' })).toBe('g')
    expect(matchId(only, '/nope')).toBe('none')
  })

  test('domains: exact and *. wildcard (any depth, not the apex), port ignored', () => {
    const d = [r('d', '/', { match: { ...noMatch, domains: ['API.example.com', '*.example.org'] } }), r('any', '/')]
    expect(matchId(d, '/', { host: 'api.example.com:8443' })).toBe('d')
    expect(matchId(d, '/', { host: 'a.b.example.org' })).toBe('d')
    expect(matchId(d, '/', { host: 'example.org' })).toBe('any')
  })

  test('header/query/cookie conditions; a failing candidate falls through to the next', () => {
    const c = [
      r('hv', '/c', { match: { ...noMatch, headers: [{ name: 'X-V', value: '2' }] } }),
      r('qp', '/c', { match: { ...noMatch, query: [{ name: 'debug', present: true }] } }),
      r('ck', '/c', { match: { ...noMatch, cookies: [{ name: 'beta', regex: '^on$' }] } }),
      r('absent', '/c', { match: { ...noMatch, headers: [{ name: 'X-Block', present: false }] } }),
    ]
    expect(matchId(c, '/c', { headers: { 'x-v': '2' } })).toBe('hv')
    expect(matchId(c, '/c', { query: '?debug' })).toBe('qp')
    expect(matchId(c, '/c', { headers: { cookie: 'a=1; beta=on' } })).toBe('ck')
    expect(matchId(c, '/c')).toBe('absent')
    expect(matchId(c, '/c', { headers: { 'x-block': '1' } })).toBe('none')
  })

  test('declaration order breaks ties', () => {
    expect(matchId([r('first', '/t'), r('second', '/t')], '/t')).toBe('first')
  })

  test('a table of 2,000 routes matches the right one', () => {
    const many: RouteInput[] = []
    for (let i = 0; i < 1000; i++) many.push(r(`e${i}`, `/svc${i}/op`), r(`p${i}`, `/svc${i}`, { path_prefix: true }))
    expect(matchId(many, '/svc777/op')).toBe('e777')
    expect(matchId(many, '/svc777/other/x')).toBe('p777')
    expect(matchId(many, '/svc7770')).toBe('none')
  })
})
