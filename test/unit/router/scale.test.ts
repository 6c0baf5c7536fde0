import { describe, expect, test } from 'vitest'
import { compileRouter, type RouteInput } from '../../../src/router/router.ts'

const noMatch = { domains: [], headers: [], query: [], cookies: [] }
function r(id: string, path: string, extra: Partial<RouteInput> = {}): RouteInput {
  return { id, path, path_prefix: false, methods: [], match: noMatch, ...extra }
}

describe('large tables', () => {
  test('a 2,000-route table of exact, param, wildcard and prefix routes matches the right one', () => {
    const routes: RouteInput[] = []
    for (let i = 0; i < 500; i++) {
      routes.push(
        r(`exact${i}`, `/svc${i}/op`, { methods: ['GET'] }),
        r(`param${i}`, `/svc${i}/items/:id`),
        r(`star${i}`, `/svc${i}/files/*`),
        r(`prefix${i}`, `/svc${i}`, { path_prefix: true }),
      )
    }
    const router = compileRouter(routes)
    const id = (path: string, method = 'GET') => {
      const m = router.match(method, 'h', path, new Headers(), new URL(`http://h${path}`))
      return m.kind === 'match' ? `${m.route.id} ${JSON.stringify(m.params)} ${m.matched}` : m.kind
    }
    for (const i of [0, 7, 250, 499]) {
      expect(id(`/svc${i}/op`)).toBe(`exact${i} {} /svc${i}/op`)
      expect(id(`/svc${i}/op`, 'POST')).toBe(`prefix${i} {} /svc${i}`)
      expect(id(`/svc${i}/items/9`)).toBe(`param${i} {"id":"9"} /svc${i}/items/9`)
      expect(id(`/svc${i}/files/a/b`)).toBe(`star${i} {"*":"a/b"} /svc${i}/files`)
      expect(id(`/svc${i}/items/9/x`)).toBe(`prefix${i} {} /svc${i}`)
      expect(id(`/svc${i}`)).toBe(`prefix${i} {} /svc${i}`)
    }
    expect(id('/svc500/op')).toBe('none')
    expect(id('/svc4990')).toBe('none')
    expect(id('/svc')).toBe('none')
  })

  test('virtual hosting: 2,000 routes on / told apart by domain, declaration order kept across hosts', () => {
    const routes: RouteInput[] = []
    for (let i = 0; i < 1000; i++) routes.push(r(`h${i}`, '/', { path_prefix: true, match: { ...noMatch, domains: [`h${i}.example.com`] } }))
    routes.push(r('wild', '/', { path_prefix: true, match: { ...noMatch, domains: ['*.wild.test'] } }))
    routes.push(r('catch-all', '/', { path_prefix: true }))
    for (let i = 1000; i < 2000; i++) routes.push(r(`h${i}`, '/', { path_prefix: true, match: { ...noMatch, domains: [`h${i}.example.com`, `alias${i}.test`] } }))
    routes.push(r('api', '/api', { path_prefix: true, match: { ...noMatch, domains: ['h1.example.com'] } }))
    const router = compileRouter(routes)
    const id = (host: string, path = '/x') => {
      const m = router.match('GET', host, path, new Headers(), new URL(`http://h${path}`))
      return m.kind === 'match' ? m.route.id : m.kind
    }
    expect(id('h0.example.com')).toBe('h0')
    expect(id('H999.example.com:443')).toBe('h999')
    expect(id('a.b.wild.test')).toBe('wild')
    // Declared after the catch-all, so the catch-all wins for these hosts.
    expect(id('h1500.example.com')).toBe('catch-all')
    expect(id('alias1500.test')).toBe('catch-all')
    expect(id('unknown.example.com')).toBe('catch-all')
    expect(id('h1.example.com', '/api/v1')).toBe('api')
    expect(id('h2.example.com', '/api/v1')).toBe('h2')
    expect(id('h1500.example.com', '/api/v1')).toBe('catch-all')
  })

  test('host-indexed routes still honour headers and fall through in order', () => {
    const routes: RouteInput[] = []
    for (let i = 0; i < 20; i++) {
      routes.push(r(`beta${i}`, '/', { match: { ...noMatch, domains: [`s${i}.test`], headers: [{ name: 'x-beta', value: '1' }] } }))
      routes.push(r(`stable${i}`, '/', { match: { ...noMatch, domains: [`s${i}.test`] } }))
    }
    const router = compileRouter(routes)
    const id = (host: string, headers: HeadersInit = {}) => {
      const m = router.match('GET', host, '/', new Headers(headers), new URL('http://h/'))
      return m.kind === 'match' ? m.route.id : m.kind
    }
    expect(id('s3.test', { 'x-beta': '1' })).toBe('beta3')
    expect(id('s3.test')).toBe('stable3')
    expect(id('s30.test')).toBe('none')
  })
})
