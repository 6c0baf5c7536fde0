import { describe, expect, test } from 'vitest'
import { admin, getJson } from './client.ts'

/** A strict reader of the Prometheus text format 0.0.4: every line is a comment or `name{labels} number`. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>()
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/
  for (const raw of text.split('\n')) {
    if (raw === '' || raw.startsWith('# HELP ') || raw.startsWith('# TYPE ')) continue
    const m = line.exec(raw)
    if (m === null) throw new Error(`not Prometheus text: ${raw}`)
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]))
  }
  return samples
}

describe('metrics', () => {
  test('/metrics parses as Prometheus text and counts requests by route, method and status', async () => {
    const before = parsePrometheus(await (await admin('/metrics')).text())
    const key = 'portico_requests_total{route="up",method="GET",status="201"}'
    for (let i = 0; i < 3; i++) await getJson('/up/status/201')
    const res = await admin('/metrics')
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const after = parsePrometheus(await res.text())
    expect((after.get(key) ?? 0) - (before.get(key) ?? 0)).toBe(3)
    expect(after.get('portico_request_duration_seconds_count{route="up"}')).toBeGreaterThanOrEqual(3)
    const upstream = [...after.entries()].find(([k]) => k.startsWith('portico_upstream_duration_seconds_count{route="up",backend="'))
    expect(upstream?.[1]).toBeGreaterThanOrEqual(3)
    expect([...after.keys()].some((k) => k.startsWith('portico_backend_health{'))).toBe(true)
    expect([...after.keys()].some((k) => k.startsWith('portico_circuit_breaker_state{route="breaker"}'))).toBe(true)
  })

  test('unmatched requests are counted under route="" (no raw paths as labels)', async () => {
    await getJson('/no-such-route-12345')
    const text = await (await admin('/metrics')).text()
    expect(text).toContain('portico_requests_total{route="",method="GET",status="404"}')
    expect(text).not.toContain('no-such-route-12345')
  })
})
