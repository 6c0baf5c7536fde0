/**
 * Runway's key names and Portico's own for the same setting validate to the same Config (the
 * alias is folded into Runway's key), writing both is an error, and the cross-key rules Runway
 * has (per_ip vs key, an upstream's backends vs service, route targets) hold. The behaviour
 * behind each key is shown black-box in test/unit/gateway/runway-*.test.ts.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSniLookup, loadListenersTls } from '../../../adapters/server/tls-config.ts'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import type { Config } from '../../../src/config/types.ts'

const parse = (text: string) => parseConfig(text, 'f.yaml', { env: {} })
const valid = (text: string): Config => {
  const res = parse(text)
  if (!res.ok) throw new Error(formatIssues(res.issues))
  return res.config
}
const refused = (text: string): Record<string, string> => {
  const res = parse(text)
  if (res.ok) throw new Error('expected the config to be refused')
  return Object.fromEntries(res.issues.map((i) => [i.path, i.message]))
}
const echo = (extra: string) => `routes: [{ id: r, path: /r, echo: true, ${extra} }]`
const route = (text: string) => valid(text).routes[0]

describe('aliases fold into the Runway key', () => {
  test('outlier_detection: base_/max_ejection_duration = base_/max_ejection_time', () => {
    const block = (b: string, m: string) => route(`routes: [{ id: r, path: /r, backends: [{ url: "http://h:1" }], outlier_detection: { ${b}: 1m, ${m}: 5m } }]`).outlier_detection
    const runway = block('base_ejection_duration', 'max_ejection_duration')
    expect(runway).toMatchObject({ enabled: true, base_ejection_duration: 60_000, max_ejection_duration: 300_000 })
    expect(block('base_ejection_time', 'max_ejection_time')).toEqual(runway)
    expect(runway).not.toHaveProperty('base_ejection_time')
  })

  test('adaptive_concurrency: min_/max_concurrency = min_/max_limit', () => {
    const block = (lo: string, hi: string) => route(echo(`traffic_shaping: { adaptive_concurrency: { ${lo}: 2, ${hi}: 40 } }`)).traffic_shaping?.adaptive_concurrency
    const runway = block('min_concurrency', 'max_concurrency')
    expect(runway).toMatchObject({ min_concurrency: 2, max_concurrency: 40 })
    expect(block('min_limit', 'max_limit')).toEqual(runway)
    expect(route(echo('traffic_shaping: { adaptive_concurrency: {} }')).traffic_shaping?.adaptive_concurrency).toMatchObject({ min_concurrency: 1, max_concurrency: 1000 })
  })

  test('quota: period = window, redis = mode', () => {
    const q = (b: string) => route(echo(`quota: { limit: 5, ${b} }`)).quota
    expect(q('period: monthly, redis: false')).toEqual(q('window: month, mode: local'))
    expect(q('period: monthly, redis: false')).toMatchObject({ period: 'monthly', mode: 'local' })
    expect(q('redis: true')).toMatchObject({ period: 'daily', mode: 'distributed' })
    expect(q('period: yearly')?.period).toBe('yearly')
    expect(q('period: daily')).not.toHaveProperty('window')
  })

  test('admin: ui = dashboard', () => {
    expect(valid('admin: { dashboard: { enabled: false } }').admin.ui).toEqual({ enabled: false })
    expect(valid('admin: { ui: { enabled: false } }').admin).toEqual(valid('admin: { dashboard: { enabled: false } }').admin)
    expect(valid('admin: { ui: {} }').admin.ui).toEqual({ enabled: true })
  })

  test('listeners[].tls.certificates[]: hosts = server_names', () => {
    const tls = (k: string) => valid(`listeners: [{ address: ":1", tls: { enabled: true, certificates: [{ cert_file: c, key_file: k, ${k}: [a.test] }] } }]`).listeners[0].tls
    expect(tls('hosts')).toEqual(tls('server_names'))
    expect(tls('hosts')?.certificates?.[0]).toEqual({ cert_file: 'c', key_file: 'k', server_names: ['a.test'] })
  })

  test('routes[].retries: N = retry_policy.max_retries: N, with the policy defaults', () => {
    const b = (x: string) => route(`routes: [{ id: r, path: /r, backends: [{ url: "http://h:1" }], ${x} }]`)
    expect(b('retries: 3').retry_policy).toEqual(b('retry_policy: { max_retries: 3 }').retry_policy)
    expect(b('retries: 3').retries).toBe(3)
    expect(b('retries: 0').retry_policy).toBeUndefined()
    expect(b('retries: 2, retry_policy: { per_try_timeout: 1s }').retry_policy).toMatchObject({ max_retries: 2, per_try_timeout: 1000 })
  })
})

describe('both spellings at once are refused', () => {
  test.each([
    ['routes.0.outlier_detection.base_ejection_time', echo('outlier_detection: { base_ejection_duration: 1s, base_ejection_time: 1s }')],
    ['routes.0.traffic_shaping.adaptive_concurrency.max_limit', echo('traffic_shaping: { adaptive_concurrency: { max_concurrency: 5, max_limit: 5 } }')],
    ['routes.0.quota.window', echo('quota: { limit: 1, period: daily, window: day }')],
    ['routes.0.quota.mode', echo('quota: { limit: 1, redis: true, mode: distributed }')],
    ['routes.0.security_headers.hsts', echo('security_headers: { strict_transport_security: "max-age=1", hsts: { max_age: 1 } }')],
    ['routes.0.security_headers.content_type_options', echo('security_headers: { x_content_type_options: nosniff, content_type_options: true }')],
    ['routes.0.security_headers.frame_options', echo('security_headers: { x_frame_options: DENY, frame_options: DENY }')],
    ['admin.dashboard', 'admin: { ui: { enabled: true }, dashboard: { enabled: true } }'],
    ['listeners.0.tls.certificates.0.server_names', 'listeners: [{ address: ":1", tls: { certificates: [{ cert_file: c, key_file: k, hosts: [a.test], server_names: [a.test] }] } }]'],
  ])('%s', (path, text) => {
    expect(refused(text)[path]).toMatch(/^set \w+ or \w+ \(Portico's name for it\), not both$/)
  })
})

describe('per_ip and key', () => {
  const rl = (b: string) => route(echo(`rate_limit: { rate: 1, ${b} }`)).rate_limit
  const sa = (b: string) => route(echo(`spike_arrest: { rate: 1, ${b} }`)).spike_arrest

  test('compiled keys: per_ip true = ip, false = none (one bucket); rate_limit defaults to client_id, spike_arrest to none', () => {
    expect(rl('per_ip: true')).toMatchObject({ per_ip: true, key: 'ip' })
    expect(rl('per_ip: false')).not.toHaveProperty('key')
    expect(rl('period: 1s')?.key).toBe('client_id')
    expect(rl('per_ip: false, key: "header:X-T"')?.key).toBe('header:X-T')
    expect(sa('per_ip: true')?.key).toBe('ip')
    expect(sa('period: 1s')).not.toHaveProperty('key')
    expect(sa('key: client_id')?.key).toBe('client_id')
  })

  test('per_ip: true beside a key is refused (Runway: mutually exclusive)', () => {
    expect(refused(echo('rate_limit: { rate: 1, per_ip: true, key: ip }'))['routes.0.rate_limit.per_ip']).toBe('per_ip and key are mutually exclusive (per_ip: true is key: ip)')
    expect(refused(echo('spike_arrest: { rate: 1, per_ip: true, key: ip }'))['routes.0.spike_arrest.per_ip']).toContain('mutually exclusive')
  })
})

describe('targets', () => {
  const backends = 'backends: [{ url: "http://h:1" }]'
  const split = 'traffic_split: [{ name: a, backends: [{ url: "http://a:1" }] }]'
  const up = 'upstreams: { p: { backends: [{ url: "http://p:1" }] } }\n'
  const ok = (text: string) => expect(() => valid(text)).not.toThrow()
  const bad = (text: string) => expect(refused(text)['routes.0']).toContain('needs exactly one target')
  const r = (keys: string) => `routes: [{ id: r, path: /r, ${keys} }]`

  test('traffic_split alone, or beside backends, upstream or service; not beside echo, ai or two of them', () => {
    ok(r(split))
    ok(r(`${split}, ${backends}`))
    ok(up + r(`${split}, upstream: p`))
    ok(r(`${split}, service: { name: s }`))
    bad(r(`${split}, echo: true`))
    bad(r(`${split}, ai: { provider: openai }`))
    bad(up + r(`${split}, ${backends}, upstream: p`))
  })

  test('an ai route is a target of its own; ai: { enabled: false } is none', () => {
    ok(r('ai: { provider: openai }'))
    bad(r(`ai: { provider: openai }, ${backends}`))
    bad(r('ai: { provider: openai }, echo: true'))
    ok(r(`ai: { enabled: false }, ${backends}`))
    bad(r('ai: { enabled: false }'))
  })

  test('an upstream has backends or a service, never both nor neither (Runway validateUpstreams)', () => {
    expect(valid('upstreams: { p: { service: { name: users } } }').upstreams.p.backends).toBeUndefined()
    expect(refused('upstreams: { p: { service: { name: users }, backends: [{ url: "http://h:1" }] } }')['upstreams.p']).toBe('needs backends or service (not both)')
    expect(refused('upstreams: { p: { load_balancer: random } }')['upstreams.p']).toBe('needs backends or service (not both)')
  })
})

describe('other rules', () => {
  test('retries: hedging excludes it, a retry_policy with its own max_retries wins with a warning', () => {
    expect(refused(echo('retries: 2, retry_policy: { hedging: { enabled: true } }'))['routes.0.retries']).toContain('hedging')
    expect(refused(echo('retries: 11'))['routes.0.retries']).toBeDefined()
    const res = parse('routes: [{ id: r, path: /r, backends: [{ url: "http://h:1" }], retries: 2, retry_policy: { max_retries: 4 } }]')
    expect(res.ok && res.config.routes[0].retry_policy?.max_retries).toBe(4)
    expect(res.ok && res.warnings).toEqual(['routes.0.retries: unused, retry_policy.max_retries (4) is used'])
  })

  test('adaptive min_concurrency above max_concurrency, and an unknown ip_filter order, are refused', () => {
    expect(refused(echo('traffic_shaping: { adaptive_concurrency: { min_concurrency: 9, max_concurrency: 3 } }'))['routes.0.traffic_shaping.adaptive_concurrency.min_concurrency']).toBe(
      'min_concurrency must not exceed max_concurrency',
    )
    expect(refused('ip_filter: { order: allow_last }')['ip_filter.order']).toBeDefined()
    expect(valid('ip_filter: { allow: ["10.0.0.0/8"] }').ip_filter).toEqual({ enabled: true, order: 'deny_first', allow: ['10.0.0.0/8'], deny: [] })
  })
})

describe('TLS: a certificate listed with hosts is served like one with server_names', () => {
  let dir = ''
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portico-hosts-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'b.key', '-out', 'b.crt', '-days', '1', '-subj', '/CN=b.test', '-addext', 'subjectAltName=DNS:other.test'], { cwd: dir, stdio: 'pipe' })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('the adapter picks the same certificate for the same names', () => {
    const sniOf = (k: string) => {
      const config = valid(`listeners: [{ address: ":1", tls: { enabled: true, certificates: [{ cert_file: b.crt, key_file: b.key, ${k}: [b.test, "*.b.test"] }] } }]`)
      const tls = loadListenersTls(config.listeners, dir)[0]!
      const lookup = createSniLookup(tls.sni, (e) => e.names)
      return ['b.test', 'x.b.test', 'other.test'].map((n) => lookup(n) ?? null)
    }
    const runway = sniOf('hosts')
    // The names come from the list, not from the certificate's own subjectAltName.
    expect(runway).toEqual([['b.test', '*.b.test'], ['b.test', '*.b.test'], null])
    expect(sniOf('server_names')).toEqual(runway)
  })
})
