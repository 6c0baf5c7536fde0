import { expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { createGateway } from '../../../src/gateway/gateway.ts'
import type { Runtime } from '../../../src/core/runtime.ts'

test('access log: chosen fields only, chosen headers with credentials redacted', async () => {
  const lines: Record<string, unknown>[] = []
  const parsed = parseConfig(
    [
      'logging: { access_log_fields: [method, path, status], access_log_headers: [User-Agent, Authorization, X-Api-Token, Cookie, X-My-Key] }',
      'authentication: { api_key: { header: X-My-Key, keys: [] } }',
      'routes: [{ id: e, path: /e, echo: true }]',
    ].join('\n'),
    'p.yaml',
    { env: {} },
  )
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues))
  const runtime: Runtime = {
    name: 'node',
    forward: () => Promise.reject(new Error('none')),
    logger: { debug() {}, info() {}, warn() {}, error() {}, access: (r) => void lines.push(r) },
    now: () => performance.now(),
  }
  const gw = createGateway(parsed.config, runtime)
  const res = await gw.fetch(
    new Request('http://gw/e', { headers: { 'user-agent': 'curl/8', authorization: 'Bearer s3cret', 'x-api-token': 'abc', cookie: 'sid=1', 'x-my-key': 'k' } }),
    { remoteAddr: '192.0.2.1' },
  )
  await res.text()
  expect(lines[0]).toEqual({
    method: 'GET',
    path: '/e',
    status: 200,
    header_user_agent: 'curl/8',
    header_authorization: '[redacted]',
    header_x_api_token: '[redacted]',
    header_cookie: '[redacted]',
    header_x_my_key: '[redacted]',
  })
  expect(JSON.stringify(lines)).not.toContain('s3cret')
  const bad = parseConfig('logging: { access_log_fields: [method, nope] }', 'p.yaml', { env: {} })
  expect(bad.ok ? '' : formatIssues(bad.issues)).toContain('logging.access_log_fields.1')
})
