import { describe, expect, test } from 'vitest'
import { admin, adminBase, adminToken, expectErrorShape, getJson } from './client.ts'

describe('circuit breaker', () => {
  test('opens after failure_threshold failures, rejects with 503 + Retry-After, closes after a good trial', async () => {
    expect((await getJson('/breaker/status/500')).res.status).toBe(500)
    expect((await getJson('/breaker/status/502')).res.status).toBe(502)
    const open = await getJson('/breaker/x')
    expect(open.res.status).toBe(503)
    expect(Number(open.res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expectErrorShape(open.json, 503, 'circuit_open')
    const state = await (await admin('/circuit-breakers')).json()
    expect(state.circuit_breakers).toContainEqual(expect.objectContaining({ route: 'breaker', state: 'open' }))

    await new Promise((r) => setTimeout(r, 1100)) // timeout: 1s, then half-open
    const trial = await getJson('/breaker/x')
    expect(trial.res.status).toBe(200)
    expect(trial.json.server).toBe('A')
    expect((await getJson('/breaker/x')).res.status).toBe(200)
  })

  test('the admin API forces a circuit open and closes it again', async () => {
    const post = (action: string) => fetch(`${adminBase}/circuit-breakers/breaker/${action}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } })
    expect((await post('open')).status).toBe(200)
    expect((await getJson('/breaker/x')).res.status).toBe(503)
    expect((await post('close')).status).toBe(200)
    expect((await getJson('/breaker/x')).res.status).toBe(200)
    expect((await fetch(`${adminBase}/circuit-breakers/breaker/open`, { method: 'POST' })).status).toBe(401)
    expect((await fetch(`${adminBase}/circuit-breakers/echo/open`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(404)
  })
})
