import { describe, expect, test } from 'vitest'
import type { HeaderMatch } from '../../../src/config/types.ts'
import { normalizePath } from '../../../src/router/normalize.ts'
import { compileRouter, type MatchResult, type RouteInput } from '../../../src/router/router.ts'

describe('normalizePath', () => {
  test('removes dot segments (RFC 3986 §5.2.4)', () => {
    expect(normalizePath('/a/./b/../c')).toBe('/a/c')
    expect(normalizePath('/a/b/..')).toBe('/a/')
    expect(normalizePath('/a/b/.')).toBe('/a/b/')
    expect(normalizePath('/a/b/../../c')).toBe('/c')
  })

  test('%2e%2e counts as a dot segment', () => {
    expect(normalizePath('/a/%2e%2e/b')).toBe('/b')
    expect(normalizePath('/a/%2E%2E/b')).toBe('/b')
    expect(normalizePath('/a/%2e/b')).toBe('/a/b')
    expect(normalizePath('/a/.%2e/b')).toBe('/b')
  })

  test('%2F stays encoded (upper-cased) and never splits a segment', () => {
    expect(normalizePath('/files/a%2fb')).toBe('/files/a%2Fb')
    expect(normalizePath('/files/a%5cb')).toBe('/files/a%5Cb')
  })

  test('/public/..%2f..%2fadmin can never reach /public siblings or the root: refused', () => {
    // Documented (src/router/normalize.ts, docs/routing.md): a dot segment hidden behind an
    // encoded slash is refused (null → 400) rather than decoded and resolved to `/admin`.
    expect(normalizePath('/public/..%2f..%2fadmin')).toBeNull()
    expect(normalizePath('/public/..%2F..%2Fadmin')).toBeNull()
    expect(normalizePath('/public/%2e%2e%2fadmin')).toBeNull()
    expect(normalizePath('/a/..%5c..%5cwin')).toBeNull()
  })

  test('duplicate slashes collapse', () => {
    expect(normalizePath('//a//b')).toBe('/a/b')
    expect(normalizePath('/a///b//')).toBe('/a/b/')
    expect(normalizePath('//')).toBe('/')
  })

  test('cannot climb above the root', () => {
    expect(normalizePath('/..')).toBe('/')
    expect(normalizePath('/../../etc/passwd')).toBe('/etc/passwd')
    expect(normalizePath('/a/../../../b')).toBe('/b')
    expect(normalizePath('/%2e%2e/%2e%2e/x')).toBe('/x')
  })

  test('malformed escapes and NUL → null', () => {
    expect(normalizePath('/a/%zz')).toBeNull()
    expect(normalizePath('/a/%zzb')).toBeNull()
    expect(normalizePath('/a/%')).toBeNull()
    expect(normalizePath('/a/%4')).toBeNull()
    expect(normalizePath('/a/%00')).toBeNull()
    expect(normalizePath('/a%00b')).toBeNull()
  })

  test('raw control characters and relative paths → null', () => {
    expect(normalizePath('/a\nb')).toBeNull()
    expect(normalizePath('/a\u0000b')).toBeNull()
    expect(normalizePath('a/b')).toBeNull()
    expect(normalizePath('')).toBeNull()
  })

  test('unreserved escapes are decoded', () => {
    expect(normalizePath('/%41')).toBe('/A')
    expect(normalizePath('/x%41y%7e%2D%5f')).toBe('/xAy~-_')
    expect(normalizePath('/%61%62%63')).toBe('/abc')
  })

  test('other escapes are kept, hex upper-cased', () => {
    expect(normalizePath('/a%20b')).toBe('/a%20b')
    expect(normalizePath('/a%3cb%7b')).toBe('/a%3Cb%7B')
    expect(normalizePath('/%c3%a9')).toBe('/%C3%A9')
    expect(normalizePath('/a%3fb')).toBe('/a%3Fb')
    expect(normalizePath('/a%2fb')).toBe('/a%2Fb')
  })

  test('a literal backslash counts as a slash', () => {
    expect(normalizePath('/a\\b')).toBe('/a/b')
    expect(normalizePath('/a\\..\\b')).toBe('/b')
  })

  test('a clean path is returned as the very same string', () => {
    for (const p of ['/', '/api/users', '/api/users/', '/a-b_c~d/e.f', '/a/b.c/d']) {
      const out = normalizePath(p)
      expect(out).toBe(p)
    }
    // Same identity for a string built at runtime (not interned literal).
    const built = ['', 'api', 'v1', 'users'].join('/')
    expect(Object.is(normalizePath(built), built)).toBe(true)
  })

  test('the trailing slash is kept as given', () => {
    expect(normalizePath('/a/b/')).toBe('/a/b/')
    expect(normalizePath('/a/%62/')).toBe('/a/b/')
    expect(normalizePath('/a/%62')).toBe('/a/b')
  })
})

// ---------------------------------------------------------------------------------------------

interface Match {
  domains?: string[]
  headers?: HeaderMatch[]
  query?: HeaderMatch[]
  cookies?: HeaderMatch[]
}

function route(id: string, path: string, opts: { prefix?: boolean; methods?: string[]; match?: Match } = {}): RouteInput {
  return {
    id,
    path,
    path_prefix: opts.prefix ?? false,
    methods: opts.methods ?? [],
    match: {
      domains: opts.match?.domains ?? [],
      headers: opts.match?.headers ?? [],
      query: opts.match?.query ?? [],
      cookies: opts.match?.cookies ?? [],
    },
  }
}
const prefix = (id: string, path: string, opts: { methods?: string[]; match?: Match } = {}) => route(id, path, { ...opts, prefix: true })

interface Req {
  method?: string
  host?: string | null
  headers?: Record<string, string>
  query?: string
}

function match(routes: RouteInput[], path: string, req: Req = {}): MatchResult<RouteInput> {
  const router = compileRouter(routes)
  return matchWith(router, path, req)
}
function matchWith(router: ReturnType<typeof compileRouter<RouteInput>>, path: string, req: Req = {}): MatchResult<RouteInput> {
  const host = req.host === undefined ? 'gw.test' : req.host
  const url = new URL(`http://gw.test${path}${req.query ?? ''}`)
  return router.match(req.method ?? 'GET', host, path, new Headers(req.headers ?? {}), url)
}
function idOf(routes: RouteInput[], path: string, req: Req = {}): string {
  const m = match(routes, path, req)
  return m.kind === 'match' ? m.route.id : m.kind
}

describe('router: prefix matching is on whole segments', () => {
  const routes = [prefix('users', '/api/users')]

  test('/api/users matches itself, with a trailing slash, and deeper', () => {
    expect(idOf(routes, '/api/users')).toBe('users')
    expect(idOf(routes, '/api/users/')).toBe('users')
    expect(idOf(routes, '/api/users/7')).toBe('users')
    expect(idOf(routes, '/api/users/7/orders')).toBe('users')
  })

  test('/api/users does not match /api/usersx or /api', () => {
    expect(idOf(routes, '/api/usersx')).toBe('none')
    expect(idOf(routes, '/api/users-old/1')).toBe('none')
    expect(idOf(routes, '/api')).toBe('none')
  })

  test('prefix /api/ (trailing slash) matches /api/x and /api', () => {
    const r = [prefix('api', '/api/')]
    expect(idOf(r, '/api/x')).toBe('api')
    expect(idOf(r, '/api/x/y')).toBe('api')
    expect(idOf(r, '/api/')).toBe('api')
    expect(idOf(r, '/apix')).toBe('none')
  })

  test('prefix / matches everything', () => {
    const r = [prefix('root', '/')]
    expect(idOf(r, '/')).toBe('root')
    expect(idOf(r, '/anything/at/all')).toBe('root')
  })

  test('`matched` is the literal prefix', () => {
    const m = match(routes, '/api/users/7/orders')
    expect(m).toMatchObject({ kind: 'match', matched: '/api/users', params: {} })
    const m2 = match([prefix('api', '/api/')], '/api/x')
    expect(m2).toMatchObject({ kind: 'match', matched: '/api' })
    const m3 = match(routes, '/api/users')
    expect(m3).toMatchObject({ kind: 'match', matched: '/api/users' })
  })
})

describe('router: precedence', () => {
  test('exact beats prefix, whatever the declaration order', () => {
    const routes = [prefix('p', '/api/users'), route('e', '/api/users')]
    expect(idOf(routes, '/api/users')).toBe('e')
    expect(idOf(routes, '/api/users/1')).toBe('p')
    expect(idOf([route('e', '/api/users'), prefix('p', '/api/users')], '/api/users')).toBe('e')
  })

  test('exact match is exact: the trailing slash matters', () => {
    const routes = [route('e', '/api/users')]
    expect(idOf(routes, '/api/users')).toBe('e')
    expect(idOf(routes, '/api/users/')).toBe('none')
    expect(idOf(routes, '/api/users/1')).toBe('none')
  })

  test('longest prefix wins, whatever the declaration order', () => {
    const routes = [prefix('api', '/api'), prefix('v1', '/api/v1'), prefix('users', '/api/v1/users')]
    expect(idOf(routes, '/api/v1/users/1')).toBe('users')
    expect(idOf(routes, '/api/v1/orders')).toBe('v1')
    expect(idOf(routes, '/api/v2')).toBe('api')
    expect(idOf([...routes].reverse(), '/api/v1/users/1')).toBe('users')
    expect(idOf([...routes].reverse(), '/api/v1/x')).toBe('v1')
  })

  test('same path twice: declaration order breaks the tie', () => {
    expect(idOf([prefix('first', '/api'), prefix('second', '/api')], '/api/x')).toBe('first')
    expect(idOf([prefix('second', '/api/'), prefix('first', '/api')], '/api/x')).toBe('second')
    expect(idOf([route('first', '/x'), route('second', '/x')], '/x')).toBe('first')
  })

  test('a pattern beats a prefix; an exact path beats a pattern', () => {
    const routes = [prefix('p', '/users'), route('pat', '/users/:id'), route('me', '/users/me')]
    expect(idOf(routes, '/users/me')).toBe('me')
    expect(idOf(routes, '/users/42')).toBe('pat')
    expect(idOf(routes, '/users/42/x')).toBe('p')
  })
})

describe('router: params', () => {
  test(':param captured and percent-decoded', () => {
    const routes = [route('item', '/users/:id/orders/:order')]
    expect(match(routes, '/users/7/orders/x1')).toMatchObject({ kind: 'match', params: { id: '7', order: 'x1' } })
    const m = match(routes, '/users/a%20b%2Fc/orders/%C3%A9')
    expect(m).toMatchObject({ kind: 'match', params: { id: 'a b/c', order: 'é' } })
    expect(idOf(routes, '/users/7/orders')).toBe('none')
  })

  test('trailing * captures the rest as params["*"]; `matched` is the literal part', () => {
    const routes = [route('files', '/files/*')]
    const m = match(routes, '/files/a/b/c.txt')
    expect(m).toMatchObject({ kind: 'match', params: { '*': 'a/b/c.txt' }, matched: '/files' })
    const enc = match(routes, '/files/a%2Fb')
    expect(enc).toMatchObject({ kind: 'match', params: { '*': 'a%2Fb' } })
  })

  test(':param and * together', () => {
    const routes = [route('t', '/t/:tenant/*')]
    expect(match(routes, '/t/acme/x/y')).toMatchObject({ kind: 'match', params: { tenant: 'acme', '*': 'x/y' }, matched: '/t/acme' })
  })

  test('invalid patterns are refused at compile time', () => {
    expect(() => compileRouter([route('a', '/a/*/b')])).toThrow(/only allowed as the last segment/)
    expect(() => compileRouter([route('a', '/a/:x/:x')])).toThrow(/appears twice/)
    expect(() => compileRouter([route('a', '/a/:')])).toThrow(/needs a name/)
  })
})

describe('router: domains', () => {
  const routes = [
    prefix('exact', '/', { match: { domains: ['api.example.com'] } }),
    prefix('wild', '/', { match: { domains: ['*.example.com'] } }),
    prefix('fallback', '/'),
  ]

  test('exact domain, case-insensitive, port ignored', () => {
    expect(idOf(routes, '/x', { host: 'api.example.com' })).toBe('exact')
    expect(idOf(routes, '/x', { host: 'API.Example.COM:8443' })).toBe('exact')
    expect(idOf(routes, '/x', { host: 'api.example.com.' })).toBe('exact')
  })

  test('*.example.com: any subdomain yes, the apex no', () => {
    expect(idOf(routes, '/x', { host: 'www.example.com' })).toBe('wild')
    expect(idOf(routes, '/x', { host: 'a.b.example.com:8080' })).toBe('wild')
    expect(idOf(routes, '/x', { host: 'example.com' })).toBe('fallback')
    expect(idOf(routes, '/x', { host: 'badexample.com' })).toBe('fallback')
    expect(idOf(routes, '/x', { host: 'example.com.evil.test' })).toBe('fallback')
  })

  test('no Host header: only routes without domains', () => {
    expect(idOf(routes, '/x', { host: null })).toBe('fallback')
    expect(idOf(routes.slice(0, 2), '/x', { host: null })).toBe('none')
  })
})

describe('router: header, query and cookie matchers', () => {
  test('header value / present / regex (names case-insensitive)', () => {
    const routes = [
      prefix('v2', '/api', { match: { headers: [{ name: 'X-Version', value: '2' }] } }),
      prefix('beta', '/api', { match: { headers: [{ name: 'x-beta', present: true }] } }),
      prefix('mobile', '/api', { match: { headers: [{ name: 'User-Agent', regex: '^Mobile/' }] } }),
      prefix('default', '/api'),
    ]
    expect(idOf(routes, '/api/a', { headers: { 'x-version': '2' } })).toBe('v2')
    expect(idOf(routes, '/api/a', { headers: { 'X-Version': '3' } })).toBe('default')
    expect(idOf(routes, '/api/a', { headers: { 'X-Beta': '' } })).toBe('beta')
    expect(idOf(routes, '/api/a', { headers: { 'User-Agent': 'Mobile/1.0' } })).toBe('mobile')
    expect(idOf(routes, '/api/a', { headers: { 'User-Agent': 'Desktop Mobile/1.0' } })).toBe('default')
    expect(idOf(routes, '/api/a')).toBe('default')
  })

  test('header present: false means absent', () => {
    const routes = [prefix('anon', '/', { match: { headers: [{ name: 'Authorization', present: false }] } }), prefix('authed', '/')]
    expect(idOf(routes, '/x')).toBe('anon')
    expect(idOf(routes, '/x', { headers: { authorization: 'Bearer t' } })).toBe('authed')
  })

  test('query value / present / regex', () => {
    const routes = [
      route('debug', '/q', { match: { query: [{ name: 'debug', present: true }] } }),
      route('v', '/q', { match: { query: [{ name: 'v', value: '1' }] } }),
      route('id', '/q', { match: { query: [{ name: 'id', regex: '^\\d+$' }] } }),
      route('plain', '/q'),
    ]
    expect(idOf(routes, '/q', { query: '?debug' })).toBe('debug')
    expect(idOf(routes, '/q', { query: '?v=1' })).toBe('v')
    expect(idOf(routes, '/q', { query: '?v=2' })).toBe('plain')
    expect(idOf(routes, '/q', { query: '?id=123' })).toBe('id')
    expect(idOf(routes, '/q', { query: '?id=12a' })).toBe('plain')
    expect(idOf(routes, '/q')).toBe('plain')
  })

  test('cookie value / present / regex', () => {
    const routes = [
      route('beta', '/c', { match: { cookies: [{ name: 'beta', regex: '^on$' }] } }),
      route('session', '/c', { match: { cookies: [{ name: 'sid', present: true }] } }),
      route('ab', '/c', { match: { cookies: [{ name: 'ab', value: 'B' }] } }),
      route('plain', '/c'),
    ]
    expect(idOf(routes, '/c', { headers: { cookie: 'x=1; beta=on' } })).toBe('beta')
    expect(idOf(routes, '/c', { headers: { cookie: 'beta=one' } })).toBe('plain')
    expect(idOf(routes, '/c', { headers: { cookie: 'sid=abc' } })).toBe('session')
    expect(idOf(routes, '/c', { headers: { cookie: 'ab=B' } })).toBe('ab')
    expect(idOf(routes, '/c', { headers: { cookie: 'ab=A' } })).toBe('plain')
    expect(idOf(routes, '/c')).toBe('plain')
  })

  test('all conditions of a route must hold', () => {
    const routes = [
      prefix('both', '/', { match: { domains: ['a.test'], headers: [{ name: 'X-K', value: '1' }], query: [{ name: 'q', present: true }] } }),
      prefix('other', '/'),
    ]
    expect(idOf(routes, '/x', { host: 'a.test', headers: { 'x-k': '1' }, query: '?q' })).toBe('both')
    expect(idOf(routes, '/x', { host: 'a.test', headers: { 'x-k': '1' } })).toBe('other')
    expect(idOf(routes, '/x', { host: 'b.test', headers: { 'x-k': '1' }, query: '?q' })).toBe('other')
  })

  test('a route whose matcher fails falls through to the next candidate (also across kinds)', () => {
    const routes = [
      route('exact-v2', '/api/users', { match: { headers: [{ name: 'X-Version', value: '2' }] } }),
      route('pattern-v2', '/api/:what', { match: { headers: [{ name: 'X-Version', value: '2' }] } }),
      prefix('long-v3', '/api/users', { match: { headers: [{ name: 'X-Version', value: '3' }] } }),
      prefix('short', '/api'),
    ]
    expect(idOf(routes, '/api/users', { headers: { 'X-Version': '2' } })).toBe('exact-v2')
    expect(idOf(routes, '/api/orders', { headers: { 'X-Version': '2' } })).toBe('pattern-v2')
    expect(idOf(routes, '/api/users', { headers: { 'X-Version': '3' } })).toBe('long-v3')
    expect(idOf(routes, '/api/users')).toBe('short')
    expect(idOf(routes, '/api/users/1', { headers: { 'X-Version': '2' } })).toBe('short')
  })

  test('a bad regex is refused at compile time', () => {
    expect(() => compileRouter([route('a', '/a', { match: { headers: [{ name: 'x', regex: '(' }] } })])).toThrow(/routes\.0\.match\.headers\.0\.regex/)
  })
})

describe('router: methods', () => {
  test('405 with a sorted allow list that includes HEAD when GET is allowed', () => {
    const routes = [route('r', '/items', { methods: ['POST', 'GET'] }), route('d', '/items', { methods: ['DELETE'] })]
    const m = match(routes, '/items', { method: 'PUT' })
    expect(m).toEqual({ kind: 'method_not_allowed', allow: ['DELETE', 'GET', 'HEAD', 'POST'] })
  })

  test('405 only when the path fits; 404 otherwise', () => {
    const routes = [route('r', '/items', { methods: ['POST'] })]
    expect(match(routes, '/items', { method: 'GET' })).toEqual({ kind: 'method_not_allowed', allow: ['POST'] })
    expect(match(routes, '/other', { method: 'GET' })).toEqual({ kind: 'none' })
  })

  test('a route failing on its conditions does not contribute to 405', () => {
    const routes = [route('r', '/items', { methods: ['POST'], match: { headers: [{ name: 'X-K', present: true }] } })]
    expect(match(routes, '/items', { method: 'GET' })).toEqual({ kind: 'none' })
  })

  test('HEAD matches a GET route', () => {
    const routes = [route('r', '/items', { methods: ['GET'] })]
    expect(idOf(routes, '/items', { method: 'HEAD' })).toBe('r')
  })

  test('method mismatch falls through to a later route that allows it', () => {
    const routes = [prefix('get', '/api/users', { methods: ['GET'] }), prefix('any', '/api')]
    expect(idOf(routes, '/api/users/1', { method: 'POST' })).toBe('any')
    expect(idOf(routes, '/api/users/1', { method: 'GET' })).toBe('get')
  })

  test('methods given in lower case still match', () => {
    expect(idOf([route('r', '/x', { methods: ['get'] })], '/x', { method: 'GET' })).toBe('r')
  })

  test('empty methods = every method', () => {
    for (const method of ['GET', 'POST', 'PATCH', 'OPTIONS', 'PROPFIND']) expect(idOf([route('r', '/x')], '/x', { method })).toBe('r')
  })
})

describe('router: a 2,000-route table', () => {
  const routes: RouteInput[] = []
  for (let i = 0; i < 500; i++) {
    routes.push(route(`exact-${i}`, `/svc${i}/status`))
    routes.push(prefix(`prefix-${i}`, `/svc${i}/api`))
    routes.push(route(`param-${i}`, `/svc${i}/items/:id`))
    routes.push(prefix(`host-${i}`, '/', { match: { domains: [`t${i}.example.com`] } }))
  }
  const router = compileRouter(routes)

  test('has 2,000 routes', () => {
    expect(routes.length).toBe(2000)
  })

  test('each kind finds its own route', () => {
    for (const i of [0, 1, 7, 123, 250, 498, 499]) {
      expect(matchWith(router, `/svc${i}/status`)).toMatchObject({ kind: 'match', route: { id: `exact-${i}` } })
      expect(matchWith(router, `/svc${i}/api/v1/x`)).toMatchObject({ kind: 'match', route: { id: `prefix-${i}` }, matched: `/svc${i}/api` })
      expect(matchWith(router, `/svc${i}/items/42`)).toMatchObject({ kind: 'match', route: { id: `param-${i}` }, params: { id: '42' } })
      expect(matchWith(router, '/nothing/here', { host: `t${i}.example.com` })).toMatchObject({ kind: 'match', route: { id: `host-${i}` } })
    }
  })

  test('no false positives', () => {
    expect(matchWith(router, '/svc500/status')).toEqual({ kind: 'none' })
    expect(matchWith(router, '/svc1/statusx')).toEqual({ kind: 'none' })
    expect(matchWith(router, '/svc1/apix')).toEqual({ kind: 'none' })
    expect(matchWith(router, '/nothing', { host: 't500.example.com' })).toEqual({ kind: 'none' })
  })

  test('every route is reachable', () => {
    for (let i = 0; i < 500; i++) {
      const m = matchWith(router, `/svc${i}/api`)
      expect(m.kind === 'match' && m.route.id).toBe(`prefix-${i}`)
    }
  })
})
