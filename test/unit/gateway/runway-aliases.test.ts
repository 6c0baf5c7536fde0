/**
 * Runway's spellings against Portico's own, black-box in process: the same requests through a
 * gateway compiled from each spelling get the same answers (limits, ip_filter, security headers).
 * Clients are told apart by their socket address (`remoteAddr`).
 */
import { describe, expect, test } from 'vitest'
import { testGateway } from '../../helpers/gateway-request.ts'

const A = '192.0.2.1'
const B = '192.0.2.2'

/** Statuses of GET `path` from each address in turn, against a fresh gateway per config. */
async function statuses(yaml: string, path: string, from: readonly string[], headers: Record<string, string> = {}): Promise<number[]> {
  const gw = await testGateway(yaml)
  const out: number[] = []
  for (const remoteAddr of from) out.push((await gw.request(path, { remoteAddr, headers })).status)
  return out
}

const echoRoute = (block: string) => `routes: [{ id: r, path: /r, echo: true, ${block} }]`

describe('rate_limit.per_ip', () => {
  const limit = (extra: string) => echoRoute(`rate_limit: { rate: 1, period: 1h, burst: 1${extra} }`)

  test('per_ip: false is one bucket for the route: a second client is refused', async () => {
    expect(await statuses(limit(', per_ip: false'), '/r', [A, B, B])).toEqual([200, 429, 429])
  })

  test('per_ip: true counts like key: ip (each client its own bucket)', async () => {
    const runway = await statuses(limit(', per_ip: true'), '/r', [A, A, B])
    expect(runway).toEqual([200, 429, 200])
    expect(await statuses(limit(', key: ip'), '/r', [A, A, B])).toEqual(runway)
  })

  test('no key and no per_ip: the authenticated client (Runway default), like key: client_id', async () => {
    const auth = 'authentication: { api_key: { keys: [{ key: k-1, client_id: acme }] } }\n'
    const route = (extra: string) => `${auth}${echoRoute(`auth: { methods: [api_key] }, rate_limit: { rate: 1, period: 1h, burst: 1${extra} }`)}`
    const key = { 'x-api-key': 'k-1' }
    // One client behind two addresses shares its bucket.
    const runway = await statuses(route(''), '/r', [A, B], key)
    expect(runway).toEqual([200, 429])
    expect(await statuses(route(', key: client_id'), '/r', [A, B], key)).toEqual(runway)
    // Without credentials the client id falls back to the address: two addresses, two buckets.
    expect(await statuses(limit(''), '/r', [A, B, A])).toEqual([200, 200, 429])
  })

  test('per_ip: false beside a key: the key decides (Runway reads per_ip only without one)', async () => {
    const yaml = limit(', per_ip: false, key: "header:X-Tenant"')
    const gw = await testGateway(yaml)
    expect((await gw.request('/r', { remoteAddr: A, headers: { 'x-tenant': 't1' } })).status).toBe(200)
    expect((await gw.request('/r', { remoteAddr: A, headers: { 'x-tenant': 't2' } })).status).toBe(200)
    expect((await gw.request('/r', { remoteAddr: B, headers: { 'x-tenant': 't1' } })).status).toBe(429)
  })

  test('a top-level block with per_ip: false gives each route its own single bucket', async () => {
    const yaml = 'rate_limit: { rate: 1, period: 1h, burst: 1, per_ip: false }\nroutes: [{ id: a, path: /a, echo: true }, { id: b, path: /b, echo: true }]'
    const gw = await testGateway(yaml)
    expect((await gw.request('/a', { remoteAddr: A })).status).toBe(200)
    expect((await gw.request('/b', { remoteAddr: B })).status).toBe(200)
    expect((await gw.request('/a', { remoteAddr: B })).status).toBe(429)
  })
})

describe('spike_arrest.per_ip', () => {
  const spike = (extra: string) => echoRoute(`spike_arrest: { rate: 1, period: 1h${extra} }`)

  test('the default (per_ip false) is one bucket for the route, as in Runway', async () => {
    expect(await statuses(spike(''), '/r', [A, B])).toEqual([200, 429])
    expect(await statuses(spike(', per_ip: false'), '/r', [A, B])).toEqual([200, 429])
  })

  test('per_ip: true counts like key: ip', async () => {
    const runway = await statuses(spike(', per_ip: true'), '/r', [A, A, B])
    expect(runway).toEqual([200, 429, 200])
    expect(await statuses(spike(', key: ip'), '/r', [A, A, B])).toEqual(runway)
  })
})

describe('quota.period', () => {
  async function firstTwo(block: string) {
    const gw = await testGateway(echoRoute(`quota: { limit: 1, key: ip, ${block} }`))
    const ok = await gw.request('/r')
    const refused = await gw.request('/r')
    return { policy: ok.headers.get('ratelimit-policy'), status: [ok.status, refused.status], message: ((await refused.json()) as { error: { message: string } }).error.message }
  }

  test('period: daily answers like window: day', async () => {
    const runway = await firstTwo('period: daily')
    expect(runway).toEqual({ policy: '"quota";q=1;w=86400', status: [200, 429], message: 'quota for this day is used up' })
    expect(await firstTwo('window: day')).toEqual(runway)
  })

  test('hourly, monthly and weekly match hour, month and week; yearly spans the calendar year', async () => {
    for (const [period, window] of [['hourly', 'hour'], ['monthly', 'month'], ['weekly', 'week']]) {
      expect(await firstTwo(`period: ${period}`)).toEqual(await firstTwo(`window: ${window}`))
    }
    const y = new Date().getUTCFullYear()
    const days = (Date.UTC(y + 1, 0, 1) - Date.UTC(y, 0, 1)) / 86_400_000
    expect(await firstTwo('period: yearly')).toEqual({ policy: `"quota";q=1;w=${days * 86400}`, status: [200, 429], message: 'quota for this year is used up' })
  })
})

describe('ip_filter.enabled and order', () => {
  const deny = '{ enabled: false, deny: ["192.0.2.0/24"] }'

  test('enabled: false lets a denied address through, globally and on a route', async () => {
    expect(await statuses(`ip_filter: ${deny}\n${echoRoute('path_prefix: false')}`, '/r', [A])).toEqual([200])
    expect(await statuses(echoRoute(`ip_filter: ${deny}`), '/r', [A])).toEqual([200])
    // Switched on (explicitly or by default) the same lists refuse it.
    expect(await statuses(`ip_filter: { enabled: true, deny: ["192.0.2.0/24"] }\n${echoRoute('path_prefix: false')}`, '/r', [A])).toEqual([403])
    expect(await statuses(echoRoute('ip_filter: { deny: ["192.0.2.0/24"] }'), '/r', [A])).toEqual([403])
  })

  test("a route's enabled: false turns off its own filter, never the global one", async () => {
    const yaml = `ip_filter: { deny: ["192.0.2.1"] }\n${echoRoute('ip_filter: { enabled: false, deny: ["192.0.2.2"] }')}`
    expect(await statuses(yaml, '/r', [A, B])).toEqual([403, 200])
  })

  test('order: deny_first (default) refuses a denied address inside the allow list; allow_first admits it', async () => {
    const lists = 'allow: ["192.0.2.0/24"], deny: ["192.0.2.1"]'
    expect(await statuses(echoRoute(`ip_filter: { ${lists} }`), '/r', [A, B, '198.51.100.1'])).toEqual([403, 200, 403])
    expect(await statuses(echoRoute(`ip_filter: { order: deny_first, ${lists} }`), '/r', [A, B])).toEqual([403, 200])
    expect(await statuses(echoRoute(`ip_filter: { order: allow_first, ${lists} }`), '/r', [A, B, '198.51.100.1'])).toEqual([200, 200, 403])
    // allow_first without an allow list: the deny list still applies.
    expect(await statuses(echoRoute('ip_filter: { order: allow_first, deny: ["192.0.2.1"] }'), '/r', [A, B])).toEqual([403, 200])
  })
})

describe("security_headers: Runway's strings", () => {
  const NAMES = ['strict-transport-security', 'x-content-type-options', 'x-frame-options']
  async function headersOf(block: string, url = 'https://gw.test/r'): Promise<(string | null)[]> {
    const gw = await testGateway(echoRoute(`security_headers: ${block}`))
    const res = await gw.request(url)
    return NAMES.map((n) => res.headers.get(n))
  }

  test('the three strings give the same response headers as hsts, content_type_options and frame_options', async () => {
    const runway = await headersOf('{ strict_transport_security: "max-age=600; includeSubDomains", x_content_type_options: nosniff, x_frame_options: SAMEORIGIN }')
    expect(runway).toEqual(['max-age=600; includeSubDomains', 'nosniff', 'SAMEORIGIN'])
    expect(await headersOf('{ hsts: { max_age: 600, include_subdomains: true }, content_type_options: true, frame_options: SAMEORIGIN }')).toEqual(runway)
  })

  test('HSTS only over HTTPS (RFC 6797 §7.2), whichever spelling', async () => {
    expect(await headersOf('{ strict_transport_security: "max-age=600" }', 'http://gw.test/r')).toEqual([null, 'nosniff', 'DENY'])
    expect(await headersOf('{ hsts: { max_age: 600 } }', 'http://gw.test/r')).toEqual([null, 'nosniff', 'DENY'])
  })

  test('"" is no header, as in Runway (nosniff, its default, stays)', async () => {
    const runway = await headersOf('{ strict_transport_security: "", x_content_type_options: "", x_frame_options: "" }')
    expect(runway).toEqual([null, 'nosniff', null])
    expect(await headersOf('{ hsts: { enabled: false }, frame_options: false }')).toEqual(runway)
  })

  test('values browsers would ignore are refused when the config is compiled', async () => {
    await expect(testGateway(echoRoute('security_headers: { strict_transport_security: "includeSubDomains" }'))).rejects.toThrow(
      'routes.r.security_headers.strict_transport_security: needs max-age=<seconds>',
    )
    await expect(testGateway(echoRoute('security_headers: { x_content_type_options: sniff }'))).rejects.toThrow('x_content_type_options: must be nosniff')
    await expect(testGateway(echoRoute('security_headers: { x_frame_options: "ALLOW-FROM https://a.test" }'))).rejects.toThrow('x_frame_options: must be DENY or SAMEORIGIN')
  })
})
