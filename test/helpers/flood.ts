/**
 * Load for exactness tests: `concurrency` loops send requests back to back over the given
 * gateways (round robin) until both `minRequests` were sent and `minDurationMs` passed, and a
 * real upstream on 127.0.0.1 counts what got through. The timestamps bound when the first and
 * last limiter decisions can have happened.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent, request } from 'undici'

export interface FloodResult {
  sent: number
  byStatus: Record<number, number>
  errors: number
  /** ms (performance.now): before the first send, first answer, last send, last answer. */
  tStart: number
  tFirstAnswer: number
  tLastSend: number
  tEnd: number
}

export async function flood(urls: string[], options: { minRequests: number; minDurationMs: number; concurrency: number; headers?: Record<string, string> }): Promise<FloodResult> {
  const agent = new Agent({ connections: options.concurrency, pipelining: 1 })
  const r: FloodResult = { sent: 0, byStatus: {}, errors: 0, tStart: performance.now(), tFirstAnswer: 0, tLastSend: 0, tEnd: 0 }
  const deadline = r.tStart + options.minDurationMs
  let next = 0
  async function loop() {
    while (r.sent < options.minRequests || performance.now() < deadline) {
      const url = urls[next++ % urls.length]!
      r.sent++
      r.tLastSend = performance.now()
      try {
        const res = await request(url, { dispatcher: agent, headers: options.headers })
        await res.body.dump()
        r.byStatus[res.statusCode] = (r.byStatus[res.statusCode] ?? 0) + 1
      } catch {
        r.errors++
      }
      if (r.tFirstAnswer === 0) r.tFirstAnswer = performance.now()
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, loop))
  r.tEnd = performance.now()
  await agent.close()
  return r
}

/**
 * The admitted range for a bucket of `burst` refilled at `rate` per `periodMs` under a
 * saturating flood: tokens earned between the first and the last decision, whose times are
 * only known to lie within [tStart, tFirstAnswer] and [tLastSend, tEnd]. ±1 for rounding.
 */
export function admittedRange(r: FloodResult, burst: number, rate: number, periodMs: number): [number, number] {
  const perMs = rate / periodMs
  const inner = Math.max(0, r.tLastSend - r.tFirstAnswer)
  const outer = r.tEnd - r.tStart
  return [Math.floor(burst + perMs * inner) - 1, Math.ceil(burst + perMs * outer) + 1]
}

export interface CountingUpstream {
  url: string
  hits(): number
  reset(): void
  close(): Promise<void>
}

export async function startCountingUpstream(): Promise<CountingUpstream> {
  let hits = 0
  const server: Server = createServer((req, res) => {
    hits++
    req.resume()
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' })
    res.end('ok')
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    reset: () => {
      hits = 0
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
