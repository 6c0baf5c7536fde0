/**
 * OpenTelemetry tracing end to end, through the real CLI on Node, Bun and Deno: a local OTLP/HTTP
 * receiver collects what the gateway exports (JSON `resourceSpans`), a real upstream records the
 * `traceparent` it is sent. Per request: one SERVER span and one CLIENT span per upstream try,
 * in one trace, with the client span as the upstream's parent; a caller's `traceparent` is
 * continued; retries are separate CLIENT spans with `http.request.resend_count`. With tracing
 * off nothing is exported and nothing is injected.
 */
import { writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tracesEndpoint, startTracingSdk } from '../../adapters/server/tracing-sdk.ts'
import type { Config } from '../../src/config/types.ts'
import type { Logger } from '../../src/core/runtime.ts'
import { createTracing } from '../../src/observability/tracing.ts'
import { type ReadyLine, root, startPortico } from '../conformance/global-setup.ts'

const RUNTIMES = ['node', 'bun', 'deno'] as const
type Runtime = (typeof RUNTIMES)[number]

/** Runtimes where the SDK cannot run, with the reason (the tests are then skipped, by name). */
const UNSUPPORTED: Partial<Record<Runtime, string>> = {}

// OTLP SpanKind and StatusCode numbers (opentelemetry-proto trace.proto).
const SERVER = 2
const CLIENT = 3
const STATUS_ERROR = 2

interface ExportedSpan {
  service: string
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  kind: number
  status: { code?: number }
  attributes: Record<string, string | number | boolean>
}

interface OtlpValue {
  stringValue?: string
  intValue?: number | string
  doubleValue?: number
  boolValue?: boolean
}
interface OtlpAttribute {
  key: string
  value: OtlpValue
}
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  status?: { code?: number }
  attributes?: OtlpAttribute[]
}
interface OtlpExport {
  resourceSpans: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[]
}

function attributesOf(list: OtlpAttribute[] = []): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const { key, value } of list) {
    // OTLP/JSON may write 64-bit integers as strings.
    out[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue)
  }
  return out
}

const spans: ExportedSpan[] = []
const exportRequests: { path: string; contentType: string | undefined; token: string | undefined }[] = []
let receiver: Server
let receiverUrl = ''

/** What the upstream was sent, by the x-test-id the test put on the request. */
const seen = new Map<string, IncomingHttpHeaders[]>()
let upstream: Server
let upstreamUrl = ''

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      exportRequests.push({ path: req.url ?? '', contentType: req.headers['content-type'], token: req.headers['x-collector-token'] as string | undefined })
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport
      for (const rs of body.resourceSpans) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name'])
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              status: s.status ?? {},
              attributes: attributesOf(s.attributes),
            })
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`

  // /flaky answers 503 to the first try of each test id, 200 after.
  upstream = createServer((req, res) => {
    const id = String(req.headers['x-test-id'] ?? '')
    const tries = seen.get(id) ?? []
    tries.push(req.headers)
    seen.set(id, tries)
    req.resume()
    const status = req.url?.startsWith('/flaky') && tries.length === 1 ? 503 : 200
    res.writeHead(status, { 'content-type': 'text/plain' })
    res.end(status === 200 ? 'ok' : 'try again')
  })
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const s of [receiver, upstream]) {
    s.closeAllConnections()
    await new Promise<void>((r) => s.close(() => r()))
  }
})

function writeConfig(name: string, tracing: Record<string, unknown>): string {
  const file = join(root, '.test-out', `tracing-${name}.yaml`)
  const config = {
    listeners: [{ id: 'public', address: '127.0.0.1:0' }],
    admin: { enabled: false },
    logging: { level: 'warn', access_log: false },
    tracing,
    routes: [
      { id: 'api', path: '/api', path_prefix: true, backends: [{ url: upstreamUrl }] },
      {
        id: 'flaky',
        path: '/flaky',
        backends: [{ url: upstreamUrl }],
        retry_policy: { max_retries: 2, initial_backoff: '10ms', retryable_statuses: [503] },
      },
      // Port 1 on loopback: nothing listens, the connection is refused (502).
      { id: 'dead', path: '/dead', backends: [{ url: 'http://127.0.0.1:1' }] },
    ],
  }
  writeFileSync(file, JSON.stringify(config, null, 2)) // JSON is YAML
  return file
}

let counter = 0
const nextId = (prefix: string) => `${prefix}-${++counter}-${Date.now()}`
const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('')

/** `00-<trace id>-<parent span id>-<flags>` split into its fields. */
function parseTraceparent(value: unknown): { traceId: string; parentId: string; flags: string } {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(value))
  if (m === null) throw new Error(`not a traceparent: ${value}`)
  return { traceId: m[1], parentId: m[2], flags: m[3] }
}

/** The spans of one trace, once `count` of them have arrived (the batch delay is 100 ms here). */
async function traceSpans(traceId: string, count: number): Promise<ExportedSpan[]> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const found = spans.filter((s) => s.traceId === traceId)
    if (found.length >= count || Date.now() > deadline) return found
    await new Promise((r) => setTimeout(r, 50))
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, access() {} }

for (const runtime of RUNTIMES) {
  const unsupported = UNSUPPORTED[runtime]
  describe.skipIf(unsupported !== undefined)(`tracing on ${runtime}${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
    let portico: ReturnType<typeof startPortico>
    let base = ''
    const service = `portico-test-${runtime}`

    beforeAll(async () => {
      const file = writeConfig(runtime, {
        enabled: true,
        endpoint: `${receiverUrl}/v1/traces`,
        service_name: service,
        sample_rate: 1,
        headers: { 'x-collector-token': 'test' },
      })
      portico = startPortico(runtime, file, { OTEL_BSP_SCHEDULE_DELAY: '100' }, join(root, '.test-out', `tracing-${runtime}.log`))
      const ready: ReadyLine = await portico.ready
      base = ready.listeners.public
    })
    afterAll(async () => {
      await portico?.stop()
    })

    it('a proxied request is one SERVER and one CLIENT span in one trace; the upstream is sent the client span as parent', async () => {
      const id = nextId('plain')
      const res = await fetch(`${base}/api/items/7?q=secret`, { headers: { 'x-test-id': id, 'user-agent': 'tracing-test' } })
      expect(res.status).toBe(200)
      await res.text()
      const sent = parseTraceparent(seen.get(id)?.[0].traceparent)
      expect(sent.flags).toBe('01')

      const found = await traceSpans(sent.traceId, 2)
      expect(found).toHaveLength(2)
      const server = found.find((s) => s.kind === SERVER)!
      const client = found.find((s) => s.kind === CLIENT)!
      expect(server.service).toBe(service)
      expect(server.parentSpanId).toBe('')
      expect(client.parentSpanId).toBe(server.spanId)
      expect(sent.parentId).toBe(client.spanId)

      expect(server.name).toBe('GET /api')
      expect(server.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.route': '/api',
        'url.path': '/api/items/7',
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'client.address': '127.0.0.1',
        'http.response.status_code': 200,
        'portico.route.id': 'api',
        'user_agent.original': 'tracing-test',
      })
      expect(server.status.code ?? 0).not.toBe(STATUS_ERROR)
      expect(client.name).toBe('GET')
      expect(client.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.full': `${upstreamUrl}/api/items/7`,
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(upstreamUrl).port),
        'http.response.status_code': 200,
      })
      expect(client.attributes['http.request.resend_count']).toBeUndefined()
      // The query string may carry credentials: it is never exported.
      expect(JSON.stringify(found.map((s) => s.attributes))).not.toContain('secret')
      expect(exportRequests.at(-1)).toEqual({ path: '/v1/traces', contentType: 'application/json', token: 'test' })
    })

    it("a caller's traceparent makes the server span its child, and the upstream sees the gateway's client span instead", async () => {
      const id = nextId('child')
      const traceId = hex(16)
      const callerSpan = hex(8)
      const res = await fetch(`${base}/api/child`, {
        headers: { 'x-test-id': id, traceparent: `00-${traceId}-${callerSpan}-01`, tracestate: 'vendor=abc', baggage: 'tenant=acme' },
      })
      expect(res.status).toBe(200)
      await res.text()
      const found = await traceSpans(traceId, 2)
      const server = found.find((s) => s.kind === SERVER)!
      const client = found.find((s) => s.kind === CLIENT)!
      expect(server.parentSpanId).toBe(callerSpan)
      expect(client.parentSpanId).toBe(server.spanId)
      const headers = seen.get(id)![0]
      expect(parseTraceparent(headers.traceparent)).toEqual({ traceId, parentId: client.spanId, flags: '01' })
      expect(headers.tracestate).toBe('vendor=abc')
      expect(headers.baggage).toBe('tenant=acme')
    })

    it("a caller's unsampled traceparent is followed: nothing is exported, the context still goes upstream", async () => {
      const id = nextId('unsampled')
      const traceId = hex(16)
      const res = await fetch(`${base}/api/quiet`, { headers: { 'x-test-id': id, traceparent: `00-${traceId}-${hex(8)}-00` } })
      expect(res.status).toBe(200)
      await res.text()
      const sent = parseTraceparent(seen.get(id)![0].traceparent)
      expect(sent.traceId).toBe(traceId)
      expect(sent.flags).toBe('00')
      await pause(600)
      expect(spans.filter((s) => s.traceId === traceId)).toEqual([])
    })

    it('a retried request has one CLIENT span per try, the second with http.request.resend_count 1', async () => {
      const id = nextId('retry')
      const res = await fetch(`${base}/flaky`, { headers: { 'x-test-id': id } })
      expect(res.status).toBe(200)
      await res.text()
      const tries = seen.get(id)!
      expect(tries).toHaveLength(2)
      const first = parseTraceparent(tries[0].traceparent)
      const second = parseTraceparent(tries[1].traceparent)
      expect(second.traceId).toBe(first.traceId)
      expect(second.parentId).not.toBe(first.parentId)

      const found = await traceSpans(first.traceId, 3)
      const server = found.find((s) => s.kind === SERVER)!
      const clients = found.filter((s) => s.kind === CLIENT)
      expect(clients).toHaveLength(2)
      const [a, b] = [first.parentId, second.parentId].map((spanId) => clients.find((c) => c.spanId === spanId)!)
      for (const c of [a, b]) expect(c.parentSpanId).toBe(server.spanId)
      expect(a.attributes['http.response.status_code']).toBe(503)
      expect(a.attributes['error.type']).toBe('503')
      expect(a.status.code).toBe(STATUS_ERROR)
      expect(a.attributes['http.request.resend_count']).toBeUndefined()
      expect(b.attributes['http.response.status_code']).toBe(200)
      expect(b.attributes['http.request.resend_count']).toBe(1)
      expect(server.name).toBe('GET /flaky')
      expect(server.attributes['http.response.status_code']).toBe(200)
    })

    it('an unreachable upstream marks both spans as errors: 502 on the server span, the failure type on the client span', async () => {
      const traceId = hex(16)
      const res = await fetch(`${base}/dead`, { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } })
      expect(res.status).toBe(502)
      await res.text()
      const found = await traceSpans(traceId, 2)
      const server = found.find((s) => s.kind === SERVER)!
      const client = found.find((s) => s.kind === CLIENT)!
      expect(server.attributes).toMatchObject({ 'http.response.status_code': 502, 'error.type': '502', 'http.route': '/dead' })
      expect(server.status.code).toBe(STATUS_ERROR)
      expect(client.status.code).toBe(STATUS_ERROR)
      expect(client.attributes['error.type']).toEqual(expect.any(String))
      expect(client.attributes['http.response.status_code']).toBeUndefined()
    })

    it('a request no route matches still gets a SERVER span, named by method only and not an error', async () => {
      const traceId = hex(16)
      const res = await fetch(`${base}/nowhere`, { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } })
      expect(res.status).toBe(404)
      await res.text()
      const [server] = await traceSpans(traceId, 1)
      expect(server.kind).toBe(SERVER)
      expect(server.name).toBe('GET')
      expect(server.attributes['http.response.status_code']).toBe(404)
      expect(server.attributes['http.route']).toBeUndefined()
      expect(server.status.code ?? 0).not.toBe(STATUS_ERROR)
    })
  })
}

describe('tracing off (node)', () => {
  let portico: ReturnType<typeof startPortico>
  let base = ''

  beforeAll(async () => {
    const file = writeConfig('off', { enabled: false, endpoint: `${receiverUrl}/v1/traces`, service_name: 'portico-off' })
    portico = startPortico('node', file, { OTEL_BSP_SCHEDULE_DELAY: '100' }, join(root, '.test-out', 'tracing-off.log'))
    base = (await portico.ready).listeners.public
  })
  afterAll(async () => {
    await portico?.stop()
  })

  it('exports no spans and injects no traceparent; a caller-sent one passes through unchanged', async () => {
    const id = nextId('off')
    const res = await fetch(`${base}/api/off`, { headers: { 'x-test-id': id } })
    expect(res.status).toBe(200)
    await res.text()
    expect(seen.get(id)![0].traceparent).toBeUndefined()

    const passId = nextId('off-pass')
    const given = `00-${hex(16)}-${hex(8)}-01`
    const again = await fetch(`${base}/api/off`, { headers: { 'x-test-id': passId, traceparent: given } })
    await again.text()
    expect(seen.get(passId)![0].traceparent).toBe(given)

    await pause(600)
    expect(spans.filter((s) => s.service === 'portico-off')).toEqual([])
  })
})

describe('the SDK set-up (in this process)', () => {
  it('an endpoint without a path gets /v1/traces; one with a path is kept; a bare host:port is http', () => {
    expect(tracesEndpoint(undefined)).toBe('http://127.0.0.1:4318/v1/traces')
    expect(tracesEndpoint('http://collector:4318')).toBe('http://collector:4318/v1/traces')
    expect(tracesEndpoint('https://otel.example/ingest/traces')).toBe('https://otel.example/ingest/traces')
    expect(tracesEndpoint('collector:4318')).toBe('http://collector:4318/v1/traces')
  })

  it('an exporter other than otlp is refused with an error log, and nothing is started', () => {
    const errors: string[] = []
    const logger = { ...silentLogger, error: (msg: string) => void errors.push(msg) }
    const config = { tracing: { enabled: true, exporter: 'jaeger' } } as unknown as Config
    expect(startTracingSdk(config, logger)).toBeNull()
    expect(errors).toEqual([expect.stringContaining('tracing.exporter is not supported')])
  })

  it('the stop function exports the spans still queued (the batch delay here is the default 5 s)', async () => {
    const service = 'portico-flush'
    const config = { tracing: { enabled: true, endpoint: receiverUrl, service_name: service } } as unknown as Config
    const saved = process.env.OTEL_BSP_SCHEDULE_DELAY
    delete process.env.OTEL_BSP_SCHEDULE_DELAY
    const stop = startTracingSdk(config, silentLogger)
    if (saved !== undefined) process.env.OTEL_BSP_SCHEDULE_DELAY = saved
    expect(stop).not.toBeNull()
    const request = new Request('http://gw.test/api/flush', { headers: { 'x-test-id': 'flush' } })
    const trace = createTracing(config)!.startRequest(request, new URL(request.url), '192.0.2.1')
    trace.route('api', '/api')
    trace.end(200)
    const startedAt = Date.now()
    await stop!()
    expect(Date.now() - startedAt).toBeLessThan(4_000)
    expect(spans.filter((s) => s.service === service)).toMatchObject([{ name: 'GET /api', kind: SERVER }])
  })
})

describe('tracing on workerd (no SDK there: docs/tracing.md)', () => {
  let portico: ReturnType<typeof startPortico>
  let base = ''

  beforeAll(async () => {
    const file = writeConfig('workerd', { enabled: true, endpoint: `${receiverUrl}/v1/traces`, service_name: 'portico-workerd' })
    portico = startPortico('workerd', file, {}, join(root, '.test-out', 'tracing-workerd.log'))
    base = (await portico.ready).listeners.public
  })
  afterAll(async () => {
    await portico?.stop()
  })

  it("spans are no-ops and nothing is injected: a caller's traceparent reaches the upstream unchanged", async () => {
    const id = nextId('workerd')
    const res = await fetch(`${base}/api/w`, { headers: { 'x-test-id': id } })
    expect(res.status).toBe(200)
    await res.text()
    expect(seen.get(id)![0].traceparent).toBeUndefined()

    const passId = nextId('workerd-pass')
    const given = `00-${hex(16)}-${hex(8)}-01`
    const again = await fetch(`${base}/api/w`, { headers: { 'x-test-id': passId, traceparent: given } })
    expect(again.status).toBe(200)
    await again.text()
    expect(seen.get(passId)![0].traceparent).toBe(given)
    await pause(300)
    expect(spans.filter((s) => s.service === 'portico-workerd')).toEqual([])
  })
})
