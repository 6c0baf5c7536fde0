// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text; ${…} is what is under test, not a template.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { inactiveKeysOf } from '../../../src/gateway/gateway.ts'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import type { Config } from '../../../src/config/types.ts'

const root = join(import.meta.dirname, '../../..')
const load = (text: string, file = 'f.yaml', env: Record<string, string> = {}): { config: Config; warnings: string[] } => {
  const res = parseConfig(text, file, { env })
  if (!res.ok) throw new Error(formatIssues(res.issues))
  return res
}
/** configs/examples/runway-*.yaml are the README's two YAML blocks verbatim (seed 000_1f8d70524bbacb0f.txt). */
const example = (name: string, env: Record<string, string> = {}) => load(readFileSync(join(root, 'configs/examples', name), 'utf8'), name, env)
const jwtSecret = (config: Config) => (config.authentication as { jwt: { secret: string } }).jwt.secret

describe("Runway's README examples", () => {
  test('the minimal example validates and uses nothing inactive', () => {
    const { config, warnings } = example('runway-minimal.yaml')
    expect(config.listeners).toHaveLength(1)
    expect(config.routes).toHaveLength(1)
    expect(config.listeners[0]).toMatchObject({ id: 'listener-0', address: ':8080', protocol: 'http' })
    expect(config.routes[0]).toMatchObject({ id: 'my-api', path: '/api/', path_prefix: true, backends: [{ url: 'http://localhost:9001', weight: 1 }] })
    expect(warnings).toEqual([])
    expect(inactiveKeysOf(config)).toEqual([])
  })

  test('the full example validates; every key whose feature is not active is listed', () => {
    const { config, warnings } = example('runway-example.yaml')
    expect(inactiveKeysOf(config)).toEqual([
      'registry',
      'listeners.0.http.write_timeout',
      'routes.users-api.service',
      'routes.users-api.cache',
    ])
    // Active parts came through converted: durations in ms, transform defaults filled.
    expect(config.listeners[0].http).toMatchObject({ read_timeout: 30_000, write_timeout: 30_000 })
    const r = config.routes[0]
    expect(r.id).toBe('users-api')
    expect(r.timeout_policy).toEqual({ request: 30_000, backend: 10_000 })
    expect(r.circuit_breaker).toMatchObject({ max_requests: 5, timeout: 30_000, failure_threshold: 3 })
    expect(r.retry_policy).toMatchObject({ max_retries: 2, budget: { ratio: 0.1, min_retries: 3, window: 10_000 } })
    expect(r.transform?.request?.headers.add).toEqual({ 'X-Request-ID': '$request_id', 'X-Forwarded-For': '$remote_addr' })
    // JWT_SECRET is unset in this test: Runway keeps the text, we say so.
    expect(warnings).toEqual(['authentication.jwt.secret: ${JWT_SECRET} is not set and was kept as text'])
    expect(jwtSecret(config)).toBe('${JWT_SECRET}')
  })

  test('the full example with JWT_SECRET set: the secret is expanded, nothing is warned', () => {
    const { config, warnings } = example('runway-example.yaml', { JWT_SECRET: 's3cret' })
    expect(jwtSecret(config)).toBe('s3cret')
    expect(warnings).toEqual([])
  })
})

describe('inactiveFeatures never hides an accepted key', () => {
  test('listener, admin, store, upstream and route extras are listed', () => {
    const { config } = load(
      [
        'listeners: [{ address: ":1", protocol: tcp, tls: { enabled: true }, http: { max_header_bytes: 100 } }]',
        'admin: { metrics: { enabled: true }, dashboard: { enabled: true } }',
        'store: { type: redis }',
        'redis: { address: "r:6379" }',
        'upstreams: { p: { service: { name: s } } }',
        'routes:',
        '  - id: r',
        '    path: /r',
        '    upstream: p',
        '    circuit_breaker: { mode: distributed }',
        '    traffic_shaping: { throttle: { rate: 1 } }',
        '    transform: { response: { body: { json: {} } } }',
        '    cors: { allow_origins: ["*"] }',
      ].join('\n'),
    )
    expect(inactiveKeysOf(config)).toEqual([
      'listeners.0.protocol: tcp',
      'upstreams.p.service',
      'routes.r.traffic_shaping.throttle',
      'routes.r.circuit_breaker.mode: distributed (local is used)',
      'routes.r.transform.response.body',
    ])
  })

  test('active features are not listed', () => {
    const { config } = load(
      'health_check: { path: /h }\nupstreams: { p: { backends: [{ url: "http://h:1" }], load_balancer: maglev } }\nroutes: [{ id: r, path: /r, upstream: p, retry_policy: { max_retries: 1 }, timeout: 1s }]',
    )
    expect(inactiveKeysOf(config)).toEqual([])
  })
})

describe('logging.format', () => {
  const routes = 'routes: [{ id: e, path: /e, echo: true }]'
  test('a template, text and json (the default) are all active: none is reported', () => {
    expect(inactiveKeysOf(load(`logging: { format: text }\n${routes}`).config)).toEqual([])
    expect(inactiveKeysOf(load(`logging: { format: '$remote_addr $status' }\n${routes}`).config)).toEqual([])
    expect(inactiveKeysOf(load(`logging: { format: json }\n${routes}`).config)).toEqual([])
    expect(inactiveKeysOf(load(routes).config)).toEqual([])
  })
})
