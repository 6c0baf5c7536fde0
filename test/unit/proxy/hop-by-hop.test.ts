import { describe, expect, test } from 'vitest'
import { GatewayError } from '../../../src/core/errors.ts'
import { RawHeaders } from '../../../src/core/headers.ts'
import { copyEndToEnd, copyEndToEndList, isFieldName, stripHopByHop } from '../../../src/proxy/hop-by-hop.ts'

/** A received request's headers as a runtime may hand them over: names not re-validated. */
function received(pairs: [string, string][]) {
  return {
    get: (name: string) => pairs.find(([n]) => n === name)?.[1] ?? null,
    forEach: (fn: (value: string, name: string) => void) => {
      for (const [n, v] of pairs) fn(v, n)
    },
  }
}

describe('hop-by-hop stripping (RFC 9110 §7.6.1)', () => {
  test('standard hop-by-hop fields and those named in Connection are dropped', () => {
    const h = new Headers({
      connection: 'keep-alive, X-Secret-Hop',
      'keep-alive': 'timeout=5',
      'x-secret-hop': '1',
      te: 'trailers',
      upgrade: 'h2c',
      'proxy-connection': 'keep-alive',
      'transfer-encoding': 'chunked',
      'x-kept': 'yes',
    })
    const out = copyEndToEnd(h)
    expect([...out.keys()]).toEqual(['x-kept'])
  })

  test('multiple Set-Cookie fields survive as separate fields', () => {
    const h = new Headers()
    h.append('set-cookie', 'a=1; Path=/')
    h.append('set-cookie', 'b=2, c; Path=/')
    expect(copyEndToEnd(h).getSetCookie()).toEqual(['a=1; Path=/', 'b=2, c; Path=/'])
  })
})

describe('request direction', () => {
  test('Proxy-Authorization (RFC 9110 §11.7.2) and Expect are not copied upstream; Authorization is', () => {
    const out = copyEndToEndList(
      received([
        ['proxy-authorization', 'Basic cHJveHk6c2VjcmV0'],
        ['expect', '100-continue'],
        ['authorization', 'Bearer t'],
        ['connection', 'x-hop'],
        ['x-hop', '1'],
      ]),
    )
    expect(out.flat).toEqual(['authorization', 'Bearer t'])
  })

  test('a field name that is not a token is a 400 bad_request, whatever field it is', () => {
    for (const name of ['x y', 'x@y', 'x{y}', 'x"y"', 'x\x7fy', 'x\x80y', 'x-\u00e9', '', 'x:y', 'x\ty']) {
      const fail = () => copyEndToEndList(received([['accept', '*/*'], [name, '1']]))
      expect(fail, JSON.stringify(name)).toThrow(GatewayError)
      try {
        fail()
      } catch (err) {
        expect((err as GatewayError).status).toBe(400)
        expect((err as GatewayError).code).toBe('bad_request')
      }
    }
    // Also when the field would be dropped anyway (a name listed in Connection).
    expect(() => copyEndToEndList(received([['connection', 'x y'], ['x y', '1']]))).toThrow(GatewayError)
  })

  test('every tchar is accepted (RFC 9110 §5.6.2)', () => {
    expect(isFieldName("!#$%&'*+-.^_`|~09azAZ")).toBe(true)
    expect(copyEndToEndList(received([["x-!#$%&'*+.^_`|~", 'v']])).flat).toEqual(["x-!#$%&'*+.^_`|~", 'v'])
  })

  test('copyEndToEndList drops hop-by-hop fields, those named in Connection and the drop set', () => {
    const src = new Headers({ connection: 'close, x-hop', 'x-hop': '1', te: 'trailers', host: 'h', 'x-kept': 'yes', cookie: 'a=1' })
    const out = copyEndToEndList(src, new Set(['host']))
    expect(out.pairs()).toEqual([
      ['cookie', 'a=1'],
      ['x-kept', 'yes'],
    ])
  })
})

describe('response direction', () => {
  test('Proxy-Authenticate (RFC 9110 §11.7.1) is dropped by every response path', () => {
    const h = () => new Headers({ 'proxy-authenticate': 'Basic realm="p"', 'www-authenticate': 'Bearer', 'x-kept': '1' })
    expect([...copyEndToEnd(h()).keys()]).toEqual(['www-authenticate', 'x-kept'])
    const inPlace = h()
    stripHopByHop(inPlace)
    expect([...inPlace.keys()]).toEqual(['www-authenticate', 'x-kept'])
    const record: Record<string, string> = { 'proxy-authenticate': 'Basic realm="p"', 'www-authenticate': 'Bearer' }
    stripHopByHop(new RawHeaders(record))
    expect(record).toEqual({ 'www-authenticate': 'Bearer' })
  })
})
