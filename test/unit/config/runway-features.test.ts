/**
 * The table of Runway features (src/config/runway-features.ts) against Runway's own key lists
 * and against what Portico does: a missing feature is refused with its precise message and
 * line, a typo of a Portico key keeps its hint, and what the table calls active or inactive
 * is what the schema accepts and the gateway compiles.
 */
import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../../src/config/load.ts'
import { keysWith, RUNWAY_ROUTE_KEYS, RUNWAY_TOP_KEYS } from '../../../src/config/runway-features.ts'
import { configShape, routeShape } from '../../../src/config/schema.ts'
import { HANDLER_KEYS } from '../../../src/gateway/gateway.ts'
import { POLICY_KEYS } from '../../../src/policies/registry.ts'

/** Runway's Config and RouteConfig keys in declaration order (config/config.go at 0bb5bea). */
const RUNWAY_CONFIG = `listeners registry authentication upstreams routes tcp_routes udp_routes logging admin tracing
ip_filter rules traffic_shaping redis waf dns_resolver openapi webhooks health_check
error_pages nonce csrf geo idempotency backend_signing transport request_decompression
response_limit security_headers maintenance shutdown trusted_proxies bot_detection
ai_crawl_control client_mtls https_redirect allowed_hosts token_revocation service_rate_limit
spike_arrest debug_endpoint cdn_cache_headers edge_cache_rules retry_budgets inbound_signing
ssrf_protection ip_blocklist load_shedding audit_log wasm tenants completion_header
deprecation consumer_groups baggage secrets extensions cluster`.split(/\s+/)
const RUNWAY_ROUTE = `id path path_prefix methods match backends service upstream auth rate_limit transform timeout
retries strip_prefix retry_policy timeout_policy circuit_breaker cache websocket max_body_size
ip_filter cors compression traffic_split validation mirror grpc rules protocol traffic_shaping
sticky waf load_balancer consistent_hash graphql graphql_federation coalesce canary ext_auth
versioning access_log openapi error_pages nonce csrf idempotency outlier_detection geo
backend_signing request_decompression response_limit security_headers maintenance rewrite
bot_detection ai_crawl_control client_mtls proxy_rate_limit mock_response claims_propagation
backend_auth status_mapping static passthrough echo spike_arrest content_replacer
follow_redirects body_generator sequential quota aggregate response_body_generator
param_forwarding content_negotiation cdn_cache_headers edge_cache_rules backend_encoding sse
inbound_signing pii_redaction field_encryption blue_green ab_test fastcgi request_dedup
ip_blocklist baggage backpressure audit_log modifiers field_replacer jmespath backend_response
output_encoding error_handling lua wasm_plugins lambda amqp pubsub tenant tenant_backends
completion_header session_affinity traffic_replay token_exchange deprecation slo etag
streaming response_signing opa request_cost connect ai extensions`.split(/\s+/)

/** Runway spellings another change of issue #15 adds to the schema (`routes[].retries: N`). */
const ADDED_ELSEWHERE = new Set(['retries'])

const issuesOf = (text: string) => {
  const res = parseConfig(text, 'f.yaml', { env: {} })
  return res.ok ? [] : res.issues
}
const ROUTE = 'routes:\n  - id: r\n    path: /r\n    backends: [{ url: "http://h:1" }]\n'

test("the table lists exactly Runway's top-level and route keys", () => {
  expect(Object.keys(RUNWAY_TOP_KEYS)).toEqual(RUNWAY_CONFIG)
  expect(Object.keys(RUNWAY_ROUTE_KEYS)).toEqual(RUNWAY_ROUTE)
})

describe('a Runway feature Portico lacks is refused with a precise message, at its line', () => {
  test.each(keysWith(RUNWAY_TOP_KEYS, 'missing'))('top level: %s', (key) => {
    expect(issuesOf(`# a Runway config\n${key}: { enabled: true }\n`)).toEqual([
      { file: 'f.yaml', path: key, message: `Runway's ${key} feature is not available in Portico`, line: 2 },
    ])
  })

  test.each(keysWith(RUNWAY_ROUTE_KEYS, 'missing'))('route: %s', (key) => {
    expect(issuesOf(`${ROUTE}    ${key}: { enabled: true }\n`)).toEqual([
      { file: 'f.yaml', path: `routes.0.${key}`, message: `Runway's ${key} feature is not available in Portico`, line: 5 },
    ])
  })

  test('authentication.ldap and .saml', () => {
    const issues = issuesOf('authentication:\n  jwt: { secret: s }\n  ldap: { enabled: true }\n  saml: { enabled: true }\n')
    expect(issues.map((i) => [i.path, i.message, i.line])).toEqual([
      ['authentication.ldap', "Runway's authentication.ldap feature is not available in Portico", 3],
      ['authentication.saml', "Runway's authentication.saml feature is not available in Portico", 4],
    ])
  })

  test('a route answered by a Runway handler feature reports only that feature, not a missing target', () => {
    for (const key of ['static', 'sequential', 'aggregate', 'fastcgi', 'graphql_federation', 'versioning', 'lambda', 'amqp', 'pubsub', 'mock_response']) {
      expect(issuesOf(`routes: [{ id: r, path: /r, ${key}: { enabled: true } }]`).map((i) => i.message)).toEqual([
        `Runway's ${key} feature is not available in Portico`,
      ])
    }
    // Any other missing feature leaves the target rule in place.
    expect(issuesOf('routes: [{ id: r, path: /r, waf: { enabled: true } }]').map((i) => [i.path, i.message])).toEqual([
      ['routes.0.waf', "Runway's waf feature is not available in Portico"],
      ['routes.0', expect.stringContaining('needs exactly one target')],
    ])
  })
})

describe('typos of Portico keys keep the "did you mean" hint', () => {
  test.each([
    { text: 'routs: []', path: 'routs', hint: 'routes' },
    { text: 'authentification: {}', path: 'authentification', hint: 'authentication' },
    { text: `${ROUTE}    rate_limt: { rate: 1 }`, path: 'routes.0.rate_limt', hint: 'rate_limit' },
    { text: `${ROUTE}    sesion_affinity: {}`, path: 'routes.0.sesion_affinity', hint: 'session_affinity' },
    { text: `${ROUTE}    circuit_braker: {}`, path: 'routes.0.circuit_braker', hint: 'circuit_breaker' },
    { text: 'authentication: { jtw: {} }', path: 'authentication.jtw', hint: 'jwt' },
  ])('$path → $hint', ({ text, path, hint }) => {
    const issue = issuesOf(text).find((i) => i.path === path)
    expect(issue?.message).toMatch(new RegExp(`^unknown key ".+" \\(did you mean "${hint}"\\?\\)$`))
  })
})

describe('the table agrees with the schema and the gateway', () => {
  const compiled = new Set<string>([...HANDLER_KEYS, ...POLICY_KEYS])
  const routeKeys = new Set(Object.keys(routeShape.shape))
  const topKeys = new Set(Object.keys(configShape.shape))

  test('every active or inactive Runway key is a key of the schema', () => {
    for (const status of ['active', 'inactive'] as const) {
      for (const k of keysWith(RUNWAY_TOP_KEYS, status)) expect(topKeys, k).toContain(k)
      for (const k of keysWith(RUNWAY_ROUTE_KEYS, status)) if (!ADDED_ELSEWHERE.has(k)) expect(routeKeys, k).toContain(k)
    }
  })

  test('active route keys are compiled by a handler or a policy; inactive ones are not', () => {
    for (const k of keysWith(RUNWAY_ROUTE_KEYS, 'active')) if (!ADDED_ELSEWHERE.has(k)) expect(compiled, k).toContain(k)
    for (const k of keysWith(RUNWAY_ROUTE_KEYS, 'inactive')) expect(compiled, k).not.toContain(k)
  })
})
