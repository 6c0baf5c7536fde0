import { expect, test } from 'vitest'
import { createAnalyticsRecorder } from '../../../adapters/cloudflare/analytics.ts'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { createGateway } from '../../../src/gateway/gateway.ts'
import type { Runtime } from '../../../src/core/runtime.ts'

test('one Analytics Engine data point per answered request [fake dataset: Analytics Engine cannot run here; Miniflare\'s simulator drops writes]', async () => {
  const points: { blobs?: string[]; doubles?: number[]; indexes?: string[] }[] = []
  const parsed = parseConfig('routes: [{ id: e, path: /e, echo: true }]', 'p.yaml', { env: {} })
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues))
  const runtime: Runtime = {
    name: 'workerd',
    forward: () => Promise.reject(new Error('none')),
    logger: { debug() {}, info() {}, warn() {}, error() {}, access() {} },
    now: () => performance.now(),
    recordRequest: createAnalyticsRecorder({ writeDataPoint: (p) => void points.push(p) }),
  }
  const gw = createGateway(parsed.config, runtime)
  await (await gw.fetch(new Request('http://gw/e'), { remoteAddr: '192.0.2.1' })).text()
  await (await gw.fetch(new Request('http://gw/nope', { method: 'POST' }), { remoteAddr: '192.0.2.1' })).text()
  expect(points.map((p) => [p.blobs, p.indexes])).toEqual([
    [['e', 'GET', '200'], ['e']],
    [['', 'POST', '404'], ['(unmatched)']],
  ])
  expect(points.every((p) => typeof p.doubles?.[0] === 'number' && p.doubles[0] >= 0)).toBe(true)
  // A failing dataset never fails the request.
  const broken: Runtime = { ...runtime, recordRequest: createAnalyticsRecorder({ writeDataPoint: () => { throw new Error('quota') } }) }
  expect((await createGateway(parsed.config, broken).fetch(new Request('http://gw/e'), { remoteAddr: '192.0.2.1' })).status).toBe(200)
})
