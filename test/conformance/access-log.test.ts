import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { inject } from 'vitest'
import { getJson } from './client.ts'

function accessLines(): Record<string, unknown>[] {
  return readFileSync(inject('logFile'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"msg":"access"'))
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))))
}

describe('access log', () => {
  test('one JSON line per request with id, client, method, path, route, upstream, status, duration, bytes', async () => {
    const id = `log-${Date.now()}`
    await (await getJson('/up/logged?q=1', { headers: { 'x-request-id': id } })).res
    let line: Record<string, unknown> | undefined
    for (let i = 0; i < 30 && line === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100))
      line = accessLines().find((l) => l.request_id === id)
    }
    expect(line).toBeDefined()
    expect(line).toMatchObject({ method: 'GET', path: '/up/logged', route: 'up', status: 200, upstream: inject('upA') })
    expect(line!.client_ip).toBe('127.0.0.1')
    expect(typeof line!.duration_ms).toBe('number')
    expect(line!.bytes as number).toBeGreaterThan(0)
    expect(typeof line!.time).toBe('string')
    expect(accessLines().filter((l) => l.request_id === id)).toHaveLength(1)
  })

  test('errors are logged too, with their status', async () => {
    const id = `log-404-${Date.now()}`
    await getJson('/nowhere', { headers: { 'x-request-id': id } })
    let line: Record<string, unknown> | undefined
    for (let i = 0; i < 30 && line === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100))
      line = accessLines().find((l) => l.request_id === id)
    }
    expect(line).toMatchObject({ status: 404, route: null })
  })
})
