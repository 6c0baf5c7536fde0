import { describe, expect, test } from 'vitest'
import { normalizePath } from '../../../src/router/normalize.ts'
import { compileRouter, type MatchResult, type RouteInput } from '../../../src/router/router.ts'

const noMatch = { domains: [], headers: [], query: [], cookies: [] }
function r(id: string, path: string, extra: Partial<RouteInput> = {}): RouteInput {
  return { id, path, path_prefix: false, methods: [], match: noMatch, ...extra }
}
const prefix = (id: string, path: string) => r(id, path, { path_prefix: true })

function run(routes: RouteInput[], path: string, method = 'GET'): MatchResult<RouteInput> {
  return compileRouter(routes).match(method, 'h', path, new Headers(), new URL(`http://h${path}`))
}
function idOf(routes: RouteInput[], path: string, method = 'GET'): string {
  const m = run(routes, path, method)
  return m.kind === 'match' ? m.route.id : m.kind
}

describe('exact and prefix paths', () => {
  const routes = [prefix('api', '/api'), prefix('users-prefix', '/api/users'), r('users-exact', '/api/users')]

  test('a path without path_prefix matches only itself, trailing slash included', () => {
    expect(idOf([r('x', '/api/users')], '/api/users')).toBe('x')
    expect(idOf([r('x', '/api/users')], '/api/users/')).toBe('none')
    expect(idOf([r('x', '/api/users')], '/api/users/7')).toBe('none')
    expect(idOf([r('x', '/api/users/')], '/api/users/')).toBe('x')
    expect(idOf([r('root', '/')], '/')).toBe('root')
    expect(idOf([r('root', '/')], '/a')).toBe('none')
  })

  test('a prefix matches whole segments: /api/users matches /api/users/7, never /api/usersx', () => {
    const only = [prefix('p', '/api/users')]
    expect(idOf(only, '/api/users')).toBe('p')
    expect(idOf(only, '/api/users/')).toBe('p')
    expect(idOf(only, '/api/users/7/x')).toBe('p')
    expect(idOf(only, '/api/usersx')).toBe('none')
    expect(idOf(only, '/api/user')).toBe('none')
    expect(idOf(only, '/api')).toBe('none')
    expect(idOf(routes, '/api/usersx')).toBe('api')
  })

  test('a prefix written with a trailing slash is the same prefix: /api/ matches /api, /api/ and /api/x', () => {
    const only = [prefix('p', '/api/')]
    expect(idOf(only, '/api')).toBe('p')
    expect(idOf(only, '/api/')).toBe('p')
    expect(idOf(only, '/api/x')).toBe('p')
    expect(idOf(only, '/apix')).toBe('none')
  })

  test('the prefix / matches every path', () => {
    expect(idOf([prefix('root', '/')], '/')).toBe('root')
    expect(idOf([prefix('root', '/')], '/anything/at/all')).toBe('root')
  })

  test('matched is the request-path prefix the route covered (what strip_prefix removes)', () => {
    expect(run(routes, '/api/users/7')).toMatchObject({ kind: 'match', matched: '/api/users', params: {} })
    expect(run(routes, '/api/users/')).toMatchObject({ matched: '/api/users' })
    expect(run(routes, '/api/users')).toMatchObject({ route: { id: 'users-exact' }, matched: '/api/users' })
    expect(run([prefix('p', '/api/')], '/api/x')).toMatchObject({ matched: '/api' })
    expect(run([prefix('all', '/')], '/anything/here')).toMatchObject({ matched: '' })
  })

  test('traversal cannot escape a prefix: /api/../admin is /admin, which /api does not match', () => {
    const guarded = [prefix('api', '/api')]
    for (const raw of ['/api/../admin', '/api/%2e%2e/admin', '/api/.%2e/admin', '/api/.%2E/admin', '/api/./../admin', '/api\\..\\admin']) {
      const path = normalizePath(raw)
      expect(path, raw).toBe('/admin')
      expect(idOf(guarded, path!), raw).toBe('none')
      // What a runtime hands over has been through WHATWG URL parsing first: the same result.
      expect(normalizePath(new URL(`http://h${raw}`).pathname), raw).toBe('/admin')
    }
    expect(normalizePath('/api/..%2Fadmin')).toBeNull()
    expect(idOf(guarded, normalizePath('//api//users')!)).toBe('api')
  })
})

describe('params and wildcards', () => {
  test(':name captures one non-empty segment, percent-decoded; matched is the whole path', () => {
    const routes = [r('item', '/items/:id'), r('repo', '/orgs/:org/repos/:repo')]
    expect(run(routes, '/items/42')).toEqual({ kind: 'match', route: routes[0], params: { id: '42' }, matched: '/items/42' })
    expect(run(routes, '/items/a%20b%2Fc')).toMatchObject({ params: { id: 'a b/c' } })
    expect(run(routes, '/items/%C3%A9')).toMatchObject({ params: { id: 'é' } })
    expect(run(routes, '/items/%C3')).toMatchObject({ params: { id: '%C3' } })
    expect(run(routes, '/orgs/acme/repos/portico')).toMatchObject({ params: { org: 'acme', repo: 'portico' } })
    expect(idOf(routes, '/items/42/x')).toBe('none')
    expect(idOf(routes, '/items/')).toBe('none')
    expect(idOf(routes, '/items')).toBe('none')
    expect(idOf(routes, '/orgs/acme/repos')).toBe('none')
  })

  test('a trailing * matches zero or more segments, captured still encoded as params["*"]', () => {
    const routes = [r('files', '/files/*')]
    expect(run(routes, '/files/a/b.txt')).toEqual({ kind: 'match', route: routes[0], params: { '*': 'a/b.txt' }, matched: '/files' })
    expect(run(routes, '/files')).toMatchObject({ params: { '*': '' }, matched: '/files' })
    expect(run(routes, '/files/')).toMatchObject({ params: { '*': '' }, matched: '/files' })
    expect(run(routes, '/files/a%20b/')).toMatchObject({ params: { '*': 'a%20b/' } })
    expect(idOf(routes, '/filesx')).toBe('none')
    expect(run([r('all', '/*')], '/')).toMatchObject({ params: { '*': '' }, matched: '' })
  })

  test('params and * combine; path_prefix on a pattern behaves like a trailing *', () => {
    const both = [r('t', '/tenants/:tid/*')]
    expect(run(both, '/tenants/7/users/3')).toMatchObject({ params: { tid: '7', '*': 'users/3' }, matched: '/tenants/7' })
    const pre = [r('t', '/tenants/:tid', { path_prefix: true })]
    expect(run(pre, '/tenants/7/users')).toMatchObject({ params: { tid: '7', '*': 'users' }, matched: '/tenants/7' })
    expect(run(pre, '/tenants/7')).toMatchObject({ params: { tid: '7', '*': '' } })
  })

  test('malformed patterns are refused when the table is compiled', () => {
    expect(() => compileRouter([r('a', '/a/*/b')])).toThrow(/last segment/)
    expect(() => compileRouter([r('a', '/a/:')])).toThrow(/needs a name/)
    expect(() => compileRouter([r('a', '/a/:x/:x')])).toThrow(/twice/)
    expect(() => compileRouter([r('a', 'relative')])).toThrow(/routes\.0\.path/)
  })
})

describe('precedence', () => {
  test('exact literal > pattern > prefix, whatever the declaration order', () => {
    const routes = [prefix('prefix', '/users'), r('param', '/users/:id'), r('exact', '/users/me')]
    expect(idOf(routes, '/users/me')).toBe('exact')
    expect(idOf(routes, '/users/7')).toBe('param')
    expect(idOf(routes, '/users/7/posts')).toBe('prefix')
    expect(idOf(routes, '/users')).toBe('prefix')
  })

  test('patterns with more literal segments win, even when the literal comes later in the path', () => {
    const routes = [r('one-literal', '/a/:x/:y/:z'), r('two-literals', '/a/b/:y/:z'), r('three-literals', '/a/:x/c/d')]
    expect(idOf(routes, '/a/b/c/d')).toBe('three-literals')
    expect(idOf(routes, '/a/b/x/y')).toBe('two-literals')
    expect(idOf(routes, '/a/q/x/y')).toBe('one-literal')
  })

  test('a :param beats a * with as many literals; * takes what the param cannot', () => {
    const routes = [r('star', '/a/*'), r('param', '/a/:x')]
    expect(idOf(routes, '/a/b')).toBe('param')
    expect(idOf(routes, '/a/b/c')).toBe('star')
    expect(idOf(routes, '/a')).toBe('star')
  })

  test('the longest prefix wins', () => {
    const routes = [prefix('root', '/'), prefix('a', '/a'), prefix('ab', '/a/b')]
    expect(idOf(routes, '/a/b/c')).toBe('ab')
    expect(idOf(routes, '/a/b')).toBe('ab')
    expect(idOf(routes, '/a/c')).toBe('a')
    expect(idOf(routes, '/x')).toBe('root')
    expect(idOf(routes, '/')).toBe('root')
  })

  test('declaration order breaks every remaining tie', () => {
    expect(idOf([r('first', '/t'), r('second', '/t')], '/t')).toBe('first')
    expect(idOf([prefix('first', '/t'), prefix('second', '/t/')], '/t/x')).toBe('first')
    const params = [r('by-id', '/u/:id'), r('by-name', '/u/:name')]
    expect(run(params, '/u/7')).toMatchObject({ route: { id: 'by-id' }, params: { id: '7' } })
    expect(idOf([r('first', '/:a/b'), r('second', '/a/:b')], '/a/b')).toBe('first')
    expect(idOf([r('first', '/a/:b'), r('second', '/:a/b')], '/a/b')).toBe('first')
  })

  test('a candidate that fails its conditions falls through to the next one, across kinds', () => {
    const gated = { ...noMatch, headers: [{ name: 'x-beta', present: true }] }
    const routes = [r('exact', '/x', { match: gated }), r('param', '/:p', { match: gated }), prefix('fallback', '/')]
    expect(idOf(routes, '/x')).toBe('fallback')
    const m = compileRouter(routes).match('GET', 'h', '/x', new Headers({ 'x-beta': '1' }), new URL('http://h/x'))
    expect(m).toMatchObject({ route: { id: 'exact' } })
    const p = compileRouter(routes).match('GET', 'h', '/y', new Headers({ 'x-beta': '1' }), new URL('http://h/y'))
    expect(p).toMatchObject({ route: { id: 'param' }, params: { p: 'y' } })
  })
})
