/** `--compat`: the Runway features a file uses, each with Portico's status and where it is used. */
import { describe, expect, test } from 'vitest'
import { compatOfText, formatCompat, runwayCompat } from '../../../src/config/runway-compat.ts'

const FILE = `listeners:
  - { id: db, address: ":5432", protocol: tcp, tcp: { sni_routing: true } }
  - { address: ":8443", http: { enable_http3: true } }
registry: { type: consul }
waf: { enabled: true }
store: { type: memory }
authentication: { jwt: { secret: s }, ldap: { enabled: true } }
traffic_shaping: { throttle: { rate: 1 } }
upstreams:
  pool: { backends: [{ url: "http://h:1" }], transport: { force_http2: true } }
routes:
  - id: api
    path: /api
    upstream: pool
    cache: { ttl: 5s }
    graphql: { enabled: true }
    traffic_shaping: { adaptive_concurrency: {}, fault_injection: {} }
  - path: /b
    echo: true
    graphql: {}
    max_concurrent: 3
    chache: {}
`

describe('runwayCompat', () => {
  const entries = compatOfText(FILE) ?? []
  const of = (feature: string) => entries.find((e) => e.feature === feature)

  test('each feature once, with its status and where it is used', () => {
    expect(of('registry')).toEqual({ feature: 'registry', status: 'inactive', where: [] })
    expect(of('waf')).toEqual({ feature: 'waf', status: 'missing', where: [] })
    expect(of('routes[].graphql')).toEqual({ feature: 'routes[].graphql', status: 'missing', where: ['api', '#1'] })
    expect(of('routes[].cache')).toEqual({ feature: 'routes[].cache', status: 'inactive', where: ['api'] })
    expect(of('routes[].upstream')).toEqual({ feature: 'routes[].upstream', status: 'active', where: ['api'] })
    expect(of('listeners[].tcp')).toEqual({ feature: 'listeners[].tcp', status: 'inactive', where: ['db'] })
    expect(of('listeners[].http.enable_http3')).toEqual({ feature: 'listeners[].http.enable_http3', status: 'inactive', where: ['#1'] })
    expect(of('upstreams.*.transport')).toEqual({ feature: 'upstreams.*.transport', status: 'inactive', where: ['pool'] })
  })

  test('partly active blocks are listed per part', () => {
    expect(of('authentication')).toBeUndefined()
    expect(of('authentication.jwt')?.status).toBe('active')
    expect(of('authentication.ldap')?.status).toBe('missing')
    expect(of('traffic_shaping.throttle')?.status).toBe('inactive')
    expect(of('routes[].traffic_shaping.adaptive_concurrency')?.status).toBe('active')
    expect(of('routes[].traffic_shaping.fault_injection')?.status).toBe('inactive')
  })

  test("Portico's own keys and unknown keys are told apart from Runway's", () => {
    expect(of('store')?.status).toBe('portico')
    expect(of('routes[].max_concurrent')?.status).toBe('portico')
    expect(of('routes[].chache')).toEqual({ feature: 'routes[].chache', status: 'unknown', where: ['#1'] })
  })

  test('text that is not a YAML mapping has no report (validation says why)', () => {
    expect(compatOfText('a: [')).toBeNull()
    expect(compatOfText('- 1')).toBeNull()
    expect(runwayCompat([1])).toEqual([])
  })
})

test('formatCompat: a count line, then one line per feature grouped active → inactive → missing → portico → unknown', () => {
  const text = formatCompat(compatOfText(FILE) ?? [], 'f.yaml')
  const lines = text.split('\n')
  expect(lines[0]).toBe('f.yaml: Runway features: 9 active, 7 accepted but not active, 3 missing')
  expect(lines).toContainEqual(expect.stringMatching(/^ {2}missing {15}routes\[\]\.graphql +api, #1$/))
  const rank = ['active', 'accepted, not active', 'missing', 'portico only', 'unknown key']
  const ranks = lines.slice(1).map((l) => rank.indexOf(l.trim().split(/\s{2,}/)[0]))
  expect(ranks).not.toContain(-1)
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
  expect(lines.length).toBe(1 + (compatOfText(FILE) ?? []).length)
})
