import { describe, expect, it } from 'vitest'
import type { HttpEndpoint } from '../../../src/upstream/endpoint.ts'
import type { RequestContext } from '../../../src/gateway/context.ts'
import { createResponseFinisher } from '../../../src/gateway/response-finish.ts'

const backend = {} as HttpEndpoint

function ctxFor(method: string, logged: [number, number][] | null = null): RequestContext {
  return {
    request: new Request('http://gw.test/x', { method }),
    requestId: 'req-1',
    responseHeaders: null,
    logAccess: logged === null ? null : (status: number, bytes: number) => void logged.push([status, bytes]),
    bodyObserved: false,
  } as unknown as RequestContext
}

// What a runtime with mutable fetch Responses (Bun) hands the core: a Response whose headers can be set.
function upstream(headers: Record<string, string>, body: string | null = 'hello'): Response {
  return new Response(body, { status: 200, headers: { 'x-upstream': 'yes', connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', ...headers } })
}

describe.each([false, true])('response finisher (in place: %s)', (inPlace) => {
  const finish = createResponseFinisher(null, null, 0, inPlace)

  it('strips hop-by-hop fields and those named in Connection, and sets X-Request-ID', async () => {
    const out = finish(ctxFor('GET'), upstream({ 'x-request-id': 'from-upstream' }), undefined, backend)
    expect(out.headers.get('x-request-id')).toBe('req-1')
    expect(out.headers.get('x-upstream')).toBe('yes')
    for (const gone of ['connection', 'x-hop', 'keep-alive']) expect(out.headers.has(gone)).toBe(false)
    expect(await out.text()).toBe('hello')
  })

  it('answers a HEAD request without a body, with the same fields', async () => {
    const out = finish(ctxFor('HEAD'), upstream({}), undefined, backend)
    expect(out.body).toBeNull()
    expect(out.headers.get('x-request-id')).toBe('req-1')
  })

  it('logs a response with Content-Length at once, with that length', () => {
    const logged: [number, number][] = []
    finish(ctxFor('GET', logged), upstream({ 'content-length': '5' }), undefined, backend)
    expect(logged).toEqual([[200, 5]])
  })

  it('counts a body without Content-Length as it is read', async () => {
    const logged: [number, number][] = []
    const out = finish(ctxFor('GET', logged), upstream({}, null), undefined, backend)
    expect(out.body).toBeNull()
    expect(logged).toEqual([])
    const chunked = finish(ctxFor('GET', logged), new Response(new Blob(['abc']).stream()), undefined, backend)
    expect(await chunked.text()).toBe('abc')
    expect(logged).toEqual([[200, 3]])
  })
})

describe('response finisher in place', () => {
  it('returns the upstream Response itself when its body needs no change, and a new one when it does', () => {
    const finish = createResponseFinisher(null, null, 0, true)
    const res = upstream({})
    expect(finish(ctxFor('GET'), res, undefined, backend)).toBe(res)
    const head = upstream({})
    expect(finish(ctxFor('HEAD'), head, undefined, backend)).not.toBe(head)
  })
})
