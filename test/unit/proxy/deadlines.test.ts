import { describe, expect, test } from 'vitest'
import type { GatewayError } from '../../../src/core/errors.ts'
import { createDeadlines, createTimerDeadlines } from '../../../src/proxy/deadlines.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

for (const [name, make] of [
  ['shared tick', () => createDeadlines(undefined, 10)],
  ['timer per try', () => createTimerDeadlines()],
] as const) {
  describe(`header deadlines: ${name}`, () => {
    test('a try past its deadline is aborted with a 504 reason and marked timed out', async () => {
      const w = make().watch(30, undefined, undefined)
      expect(w.signal.aborted).toBe(false)
      await sleep(80)
      expect(w.signal.aborted).toBe(true)
      expect(w.timedOut).toBe(true)
      expect((w.signal.reason as GatewayError).status).toBe(504)
    })

    test('a try that is done in time is never aborted', async () => {
      const w = make().watch(30, undefined, undefined)
      w.done()
      await sleep(80)
      expect(w.signal.aborted).toBe(false)
    })

    test('the client going away aborts the try, not as a timeout', async () => {
      const client = new AbortController()
      const w = make().watch(10_000, client.signal, undefined)
      client.abort()
      await sleep(40)
      expect(w.signal.aborted).toBe(true)
      expect(w.timedOut).toBe(false)
    })

    test('a hedging cancel aborts the try with its own reason; no deadline means none fires', async () => {
      const cancel = new AbortController()
      const d = make()
      const w = d.watch(0, undefined, cancel.signal)
      const idle = d.watch(0, undefined, undefined)
      cancel.abort(new Error('lost the race'))
      await sleep(40)
      expect((w.signal.reason as Error).message).toBe('lost the race')
      expect(idle.signal.aborted).toBe(false)
      idle.done()
    })
  })
}
