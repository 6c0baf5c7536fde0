import { describe, expect, test } from 'vitest'
import { setForwardedHeaders } from '../../../src/proxy/forwarded.ts'
import { copyEndToEnd } from '../../../src/proxy/hop-by-hop.ts'

describe('forwarded headers', () => {
  test('X-Forwarded-For is appended, Via names portico, proto/host replaced for untrusted peers', () => {
    const incoming = new Headers({ 'x-forwarded-for': '1.1.1.1', 'x-forwarded-host': 'evil', via: '1.0 fred' })
    const out = copyEndToEnd(incoming, new Set(['x-forwarded-for', 'via']))
    setForwardedHeaders(out, incoming, { peer: '127.0.0.1', proto: 'http', host: 'api.test', peerTrusted: false })
    expect(out.get('x-forwarded-for')).toBe('1.1.1.1, 127.0.0.1')
    expect(out.get('x-forwarded-host')).toBe('api.test')
    expect(out.get('x-forwarded-proto')).toBe('http')
    expect(out.get('via')).toBe('1.0 fred, 1.1 portico')
  })

  test('a trusted peer keeps its X-Forwarded-Proto/Host', () => {
    const incoming = new Headers({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example' })
    const out = copyEndToEnd(incoming)
    setForwardedHeaders(out, incoming, { peer: '10.0.0.1', proto: 'http', host: 'internal', peerTrusted: true })
    expect(out.get('x-forwarded-proto')).toBe('https')
    expect(out.get('x-forwarded-host')).toBe('public.example')
  })
})
