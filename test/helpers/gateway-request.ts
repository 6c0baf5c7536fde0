/**
 * In-process pipeline tests (Hono's `app.request()` habit): a config as YAML, one request, the
 * Response and what the gateway recorded — access lines, log lines and the upstream requests a
 * fake forwarder saw. No listener, no process; the same `createGateway` the adapters compile.
 */
import { formatIssues } from '../../src/config/issues.ts'
import { parseConfig } from '../../src/config/load.ts'
import type { Runtime, UpstreamRequest } from '../../src/core/runtime.ts'
import { createGateway } from '../../src/gateway/gateway.ts'
import type { Gateway } from '../../src/gateway/types.ts'

export interface Recorded {
  access: Record<string, unknown>[]
  /** Access lines a `logging.format` template rendered. */
  accessLines: string[]
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[]
  upstream: UpstreamRequest[]
}

export interface TestGateway extends Recorded {
  gateway: Gateway
  request(input: string | Request, init?: RequestInit & { remoteAddr?: string }): Promise<Response>
}

/** `answer` plays the upstream: called for every forwarded request (default: 200 "ok"). */
export async function testGateway(yaml: string, answer: (req: UpstreamRequest) => Response | Promise<Response> = () => new Response('ok')): Promise<TestGateway> {
  const parsed = parseConfig(yaml, 'test.yaml', { env: {} })
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues))
  const rec: Recorded = { access: [], accessLines: [], logs: [], upstream: [] }
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) => void rec.logs.push({ level, msg, fields })
  const runtime: Runtime = {
    name: 'node',
    forward: async (req) => {
      rec.upstream.push(req)
      return answer(req)
    },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), access: (r) => void rec.access.push(r), accessLine: (l) => void rec.accessLines.push(l) },
    now: () => performance.now(),
  }
  const gateway = createGateway(parsed.config, runtime)
  await gateway.ready
  return {
    ...rec,
    gateway,
    request(input, init) {
      const req = typeof input === 'string' ? new Request(new URL(input, 'http://gw.test'), init) : input
      return gateway.fetch(req, { remoteAddr: init?.remoteAddr ?? '192.0.2.10' })
    },
  }
}

/** One request against a config: the helper for a single-assertion phase test. */
export async function gatewayRequest(yaml: string, input: string | Request, init?: RequestInit & { remoteAddr?: string }): Promise<Response> {
  return (await testGateway(yaml)).request(input, init)
}
