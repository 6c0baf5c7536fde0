import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { redactConfig } from '../../../src/config/redact.ts'

describe('redactConfig', () => {
  test('secrets are replaced wherever they sit; everything else is kept', () => {
    const input = {
      admin: { token: 'T1', path_prefix: '/__portico' },
      redis: { address: 'r:6379', password: 12345 },
      upstash: { url: 'https://u', token: 'T2' },
      authentication: {
        jwt: { secret: 'S1', issuer: 'https://auth' },
        api_key: { header: 'X-API-Key', keys: [{ key: 'K1', client_id: 'acme' }] },
        basic: { users: [{ username: 'admin', password_hash: '$2b$x' }] },
        oauth: { client_id: 'c', client_secret: 'S2' },
      },
      routes: [{ id: 'a', consistent_hash: { key: 'header', header_name: 'X-User' }, rate_limit: { key: 'ip' } }],
    }
    expect(redactConfig(input)).toEqual({
      admin: { token: '[redacted]', path_prefix: '/__portico' },
      redis: { address: 'r:6379', password: '[redacted]' },
      upstash: { url: 'https://u', token: '[redacted]' },
      authentication: {
        jwt: { secret: '[redacted]', issuer: 'https://auth' },
        api_key: { header: 'X-API-Key', keys: [{ key: '[redacted]', client_id: 'acme' }] },
        basic: { users: [{ username: 'admin', password_hash: '[redacted]' }] },
        oauth: { client_id: 'c', client_secret: '[redacted]' },
      },
      routes: [{ id: 'a', consistent_hash: { key: 'header', header_name: 'X-User' }, rate_limit: { key: 'ip' } }],
    })
  })

  test('credential headers in transforms and tracing, and passwords in URLs, are hidden', () => {
    const out = redactConfig({
      routes: [
        {
          transform: {
            request: { headers: { set: { Authorization: 'Bearer S3', 'X-Plain': 'ok', 'X-Upstream-Token': 'S4' }, add: { 'X-Fwd': 'Basic dXNlcjpwYXNz' }, remove: ['Cookie'] } },
          },
          backends: [{ url: 'http://user:S5@h:1/base' }],
        },
      ],
      tracing: { headers: { 'api-secret': 'S6' } },
    })
    const text = JSON.stringify(out)
    for (const secret of ['S3', 'S4', 'dXNlcjpwYXNz', 'S5', 'S6']) expect(text).not.toContain(secret)
    expect(text).toContain('"X-Plain":"ok"')
    expect(text).toContain('"remove":["Cookie"]')
    expect(text).toContain('http://[redacted]@h:1/base')
  })

  test('the input is not modified', () => {
    const input = { admin: { token: 'T' } }
    redactConfig(input)
    expect(input.admin.token).toBe('T')
  })

  test("Runway's README example: the JWT secret is hidden once JWT_SECRET has been expanded into it", () => {
    const text = readFileSync(join(import.meta.dirname, '../../../configs/examples/runway-example.yaml'), 'utf8')
    const res = parseConfig(text, 'runway-example.yaml', { env: { JWT_SECRET: 'jwt-secret-value' } })
    if (!res.ok) throw new Error(formatIssues(res.issues))
    expect(JSON.stringify(res.config)).toContain('jwt-secret-value')
    const red = redactConfig(res.config) as { authentication: { jwt: { secret: string; issuer: string } } }
    expect(red.authentication.jwt).toMatchObject({ secret: '[redacted]', issuer: 'https://auth.example.com' })
    expect(JSON.stringify(red)).not.toContain('jwt-secret-value')
  })
})
