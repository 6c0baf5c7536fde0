import { describe, expect, test } from 'vitest'
import type { HeaderMatch } from '../../../src/config/types.ts'
import { compileRouter, type RouteInput } from '../../../src/router/router.ts'

const noMatch = { domains: [], headers: [], query: [], cookies: [] }
type Match = { domains?: string[]; headers?: HeaderMatch[]; query?: HeaderMatch[]; cookies?: HeaderMatch[] }
function r(id: string, path: string, match: Match = {}, extra: Partial<RouteInput> = {}): RouteInput {
  return { id, path, path_prefix: false, methods: [], match: { ...noMatch, ...match }, ...extra }
}
interface Req {
  method?: string
  host?: string | null
  headers?: HeadersInit
  query?: string
}
function idOf(routes: RouteInput[], path: string, req: Req = {}): string {
  const m = compileRouter(routes).match(req.method ?? 'GET', req.host === undefined ? 'h' : req.host, path, new Headers(req.headers), new URL(`http://h${path}${req.query ?? ''}`))
  return m.kind === 'match' ? m.route.id : m.kind
}

describe('domains', () => {
  const routes = [r('api', '/', { domains: ['API.example.com', '*.example.org'] }), r('any', '/')]

  test('exact names match case-insensitively, ignoring the port and a final dot', () => {
    expect(idOf(routes, '/', { host: 'api.example.com' })).toBe('api')
    expect(idOf(routes, '/', { host: 'Api.Example.COM:8443' })).toBe('api')
    expect(idOf(routes, '/', { host: 'api.example.com.' })).toBe('api')
    expect(idOf(routes, '/', { host: 'www.example.com' })).toBe('any')
    expect(idOf(routes, '/', { host: 'xapi.example.com' })).toBe('any')
  })

  test('*.example.org matches subdomains of any depth but not the apex', () => {
    expect(idOf(routes, '/', { host: 'a.example.org' })).toBe('api')
    expect(idOf(routes, '/', { host: 'a.b.example.org:80' })).toBe('api')
    expect(idOf(routes, '/', { host: 'example.org' })).toBe('any')
    expect(idOf(routes, '/', { host: 'badexample.org' })).toBe('any')
  })

  test('no domains means any host, even a missing one; IPv6 literals keep their brackets', () => {
    expect(idOf([r('any', '/')], '/', { host: null })).toBe('any')
    expect(idOf([r('v6', '/', { domains: ['[::1]'] })], '/', { host: '[::1]:8080' })).toBe('v6')
    expect(idOf([r('named', '/', { domains: ['a.com'] })], '/', { host: null })).toBe('none')
  })
})

describe('headers, query and cookies', () => {
  test('headers: value is exact, present true/false, regex is an unanchored JS RegExp; names ignore case', () => {
    expect(idOf([r('v', '/', { headers: [{ name: 'X-Version', value: '2' }] })], '/', { headers: { 'x-version': '2' } })).toBe('v')
    expect(idOf([r('v', '/', { headers: [{ name: 'X-Version', value: '2' }] })], '/', { headers: { 'x-version': '20' } })).toBe('none')
    expect(idOf([r('p', '/', { headers: [{ name: 'x-a', present: true }] })], '/', { headers: { 'X-A': '' } })).toBe('p')
    expect(idOf([r('p', '/', { headers: [{ name: 'x-a', present: true }] })], '/')).toBe('none')
    expect(idOf([r('n', '/', { headers: [{ name: 'x-a', present: false }] })], '/')).toBe('n')
    expect(idOf([r('n', '/', { headers: [{ name: 'x-a', present: false }] })], '/', { headers: { 'x-a': '1' } })).toBe('none')
    expect(idOf([r('re', '/', { headers: [{ name: 'x-v', regex: 'v[0-9]' }] })], '/', { headers: { 'x-v': 'xv2' } })).toBe('re')
    expect(idOf([r('re', '/', { headers: [{ name: 'x-v', regex: '^v[0-9]$' }] })], '/', { headers: { 'x-v': 'v23' } })).toBe('none')
    expect(idOf([r('re', '/', { headers: [{ name: 'x-v', regex: '.*' }] })], '/')).toBe('none')
  })

  test('query: a bare ?debug is present; value compares the first occurrence, decoded', () => {
    const q = (m: HeaderMatch) => [r('q', '/', { query: [m] })]
    expect(idOf(q({ name: 'debug', present: true }), '/', { query: '?debug' })).toBe('q')
    expect(idOf(q({ name: 'debug', present: true }), '/', { query: '?x=1' })).toBe('none')
    expect(idOf(q({ name: 'debug', present: false }), '/', { query: '?x=1' })).toBe('q')
    expect(idOf(q({ name: 'v', value: 'a b' }), '/', { query: '?v=a%20b&v=c' })).toBe('q')
    expect(idOf(q({ name: 'v', value: 'c' }), '/', { query: '?v=a&v=c' })).toBe('none')
    expect(idOf(q({ name: 'v', regex: '^[0-9]+$' }), '/', { query: '?v=123' })).toBe('q')
    expect(idOf(q({ name: 'v', regex: '^[0-9]+$' }), '/', { query: '?v=12a' })).toBe('none')
  })

  test('cookies: value, present and regex against the Cookie header', () => {
    const c = (m: HeaderMatch) => [r('c', '/', { cookies: [m] })]
    expect(idOf(c({ name: 'beta', regex: '^on$' }), '/', { headers: { cookie: 'a=1; beta=on' } })).toBe('c')
    expect(idOf(c({ name: 'beta', regex: '^on$' }), '/', { headers: { cookie: 'beta=off' } })).toBe('none')
    expect(idOf(c({ name: 'beta', value: 'on' }), '/', { headers: { cookie: 'beta=on;x=2' } })).toBe('c')
    expect(idOf(c({ name: 'beta', present: true }), '/', { headers: { cookie: 'xbeta=1' } })).toBe('none')
    expect(idOf(c({ name: 'beta', present: false }), '/', { headers: { cookie: 'xbeta=1' } })).toBe('c')
    expect(idOf(c({ name: 'beta', present: false }), '/')).toBe('c')
  })

  test('every condition of a route must hold', () => {
    const routes = [r('all', '/', { domains: ['a.com'], headers: [{ name: 'x', value: '1' }], query: [{ name: 'q', present: true }] }), r('else', '/')]
    expect(idOf(routes, '/', { host: 'a.com', headers: { x: '1' }, query: '?q' })).toBe('all')
    expect(idOf(routes, '/', { host: 'a.com', headers: { x: '1' } })).toBe('else')
    expect(idOf(routes, '/', { host: 'b.com', headers: { x: '1' }, query: '?q' })).toBe('else')
  })

  test('the Cookie header is read once per request, and never when no route has cookie conditions', () => {
    class CountingHeaders extends Headers {
      cookieReads = 0
      override get(name: string): string | null {
        if (name.toLowerCase() === 'cookie') this.cookieReads++
        return super.get(name)
      }
    }
    const withCookies = compileRouter([r('a', '/', { cookies: [{ name: 'a', value: '1' }] }), r('b', '/', { cookies: [{ name: 'b', value: '1' }] }), r('c', '/', { cookies: [{ name: 'c', value: '1' }] })])
    const h = new CountingHeaders({ cookie: 'c=1' })
    expect(withCookies.match('GET', 'h', '/', h, new URL('http://h/'))).toMatchObject({ route: { id: 'c' } })
    expect(h.cookieReads).toBe(1)
    const h2 = new CountingHeaders({ cookie: 'a=1' })
    expect(withCookies.match('GET', 'h', '/', h2, new URL('http://h/'))).toMatchObject({ route: { id: 'a' } })
    expect(h2.cookieReads).toBe(1)
    const plain = compileRouter([r('x', '/', { headers: [{ name: 'x', present: false }] })])
    const h3 = new CountingHeaders({ cookie: 'a=1' })
    plain.match('GET', 'h', '/', h3, new URL('http://h/'))
    expect(h3.cookieReads).toBe(0)
  })

  test('bad conditions are refused when the table is compiled', () => {
    expect(() => compileRouter([r('x', '/', { headers: [{ name: 'x', regex: '(' }] })])).toThrow(/routes\.0\.match\.headers\.0\.regex/)
    expect(() => compileRouter([r('x', '/', { query: [{ name: 'x', value: '1', present: true }] })])).toThrow(/exactly one/)
    expect(() => compileRouter([r('x', '/', { cookies: [{ name: 'x' }] })])).toThrow(/exactly one/)
  })
})

describe('methods and 405', () => {
  test('no methods = any method, including extension methods', () => {
    expect(idOf([r('any', '/x')], '/x', { method: 'PURGE' })).toBe('any')
  })

  test('HEAD is allowed wherever GET is; lower-case methods in the config still match', () => {
    expect(idOf([r('g', '/x', {}, { methods: ['GET'] })], '/x', { method: 'HEAD' })).toBe('g')
    expect(idOf([r('g', '/x', {}, { methods: ['get'] })], '/x', { method: 'GET' })).toBe('g')
  })

  test('405 lists the methods of the routes that matched everything but the method: sorted, unique, HEAD with GET', () => {
    const routes = [r('g', '/x', {}, { methods: ['PUT', 'GET'] }), r('p', '/x', {}, { methods: ['PUT', 'DELETE'] }), r('o', '/y', {}, { methods: ['OPTIONS'] })]
    const m = compileRouter(routes).match('POST', 'h', '/x', new Headers(), new URL('http://h/x'))
    expect(m).toEqual({ kind: 'method_not_allowed', allow: ['DELETE', 'GET', 'HEAD', 'PUT'] })
    const post = compileRouter([r('p', '/x', {}, { methods: ['POST'] })]).match('HEAD', 'h', '/x', new Headers(), new URL('http://h/x'))
    expect(post).toEqual({ kind: 'method_not_allowed', allow: ['POST'] })
  })

  test('405 only when the path and conditions match; otherwise 404 (none)', () => {
    const routes = [r('g', '/x', { headers: [{ name: 'x-key', present: true }] }, { methods: ['GET'] })]
    expect(idOf(routes, '/x', { method: 'POST' })).toBe('none')
    expect(idOf(routes, '/x', { method: 'POST', headers: { 'x-key': '1' } })).toBe('method_not_allowed')
    expect(idOf(routes, '/nope', { method: 'POST' })).toBe('none')
  })

  test('a route of lower precedence that allows the method wins over a 405', () => {
    const routes = [r('exact-get', '/api/users', {}, { methods: ['GET'] }), r('param-put', '/api/:what', {}, { methods: ['PUT'] }), r('prefix-any', '/api', {}, { path_prefix: true })]
    expect(idOf(routes, '/api/users', { method: 'GET' })).toBe('exact-get')
    expect(idOf(routes, '/api/users', { method: 'PUT' })).toBe('param-put')
    expect(idOf(routes, '/api/users', { method: 'POST' })).toBe('prefix-any')
  })

  test('a 405 leaves nothing behind for the next request', () => {
    const router = compileRouter([r('g', '/x', {}, { methods: ['GET'] }), r('p', '/y', {}, { methods: ['PUT'] })])
    expect(router.match('POST', 'h', '/x', new Headers(), new URL('http://h/x'))).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'HEAD'] })
    expect(router.match('POST', 'h', '/y', new Headers(), new URL('http://h/y'))).toEqual({ kind: 'method_not_allowed', allow: ['PUT'] })
    expect(router.match('POST', 'h', '/z', new Headers(), new URL('http://h/z'))).toEqual({ kind: 'none' })
  })
})
