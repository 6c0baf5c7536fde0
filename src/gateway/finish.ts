/**
 * The log phase (Pingora's `logging()`): every request ends here exactly once — proxied, echo,
 * policy answers, gateway errors, client aborts and Node's direct path — with its metrics,
 * access-log line, server-span end and (Workers) analytics data point.
 * @module
 */
import type { Config } from '../config/types.ts'
import type { RequestContext, RequestTrace } from '../core/context.ts'
import type { RequestInfo, Runtime, Sent } from '../core/runtime.ts'
import { formatIp } from '../net/ip.ts'
import { isJsonLogFormat } from '../config/log-format.ts'
import { createAccessShape, shapeAccess } from '../observability/access-fields.ts'
import { compileAccessTemplate } from '../observability/access-template.ts'
import type { GatewayMetrics } from '../observability/gateway-metrics.ts'
import { observeBody } from '../proxy/streams.ts'

/** How a request ended, as far as the client saw it. */
export interface RequestOutcome {
  status: number
  /** Body bytes sent; -1 when not counted (nothing needed the count). */
  bytes: number
  /** The answer was cut after its head (client gone, upstream failed mid-body). */
  aborted: boolean
}

/**
 * Hands a request's answer to the log phase: `ctx` is null when the request was refused before
 * a route matched. Positional, so a request costs no record object here.
 */
export type Finish = (
  request: Request,
  info: RequestInfo,
  ctx: RequestContext | null,
  trace: RequestTrace | null,
  startedAt: number,
  answer: Response | Sent,
) => Response | Sent

const DIGITS = /^\d{1,15}$/

/** A Content-Length the runtime's parser accepted; -1 when absent (chunked) or odd. */
function declaredLength(value: string | null): number {
  return value !== null && DIGITS.test(value) ? Number(value) : -1
}

export function createFinish(config: Config, runtime: Runtime, metrics: GatewayMetrics | null): Finish {
  const { logger } = runtime
  const recordRequest = runtime.recordRequest
  const accessLog = config.logging.access_log
  const apiKeyHeader = config.authentication?.api_key?.header
  const accessShape = createAccessShape(config.logging.access_log_fields, config.logging.access_log_headers, apiKeyHeader ? [apiKeyHeader] : [])
  // Runway's template, compiled once per config version; null: JSON lines.
  const apiKeyParam = config.authentication?.api_key?.query_param
  const render = isJsonLogFormat(config.logging.format)
    ? null
    : compileAccessTemplate(config.logging.format, [apiKeyHeader, apiKeyParam].filter((n) => n !== undefined))
  const writeLine = logger.accessLine ?? ((line: string) => logger.access({ line }))
  // Only the access log and the server span need to see the end of the body.
  const tracing = config.tracing?.enabled === true
  const needsEnd = accessLog || tracing

  function done(
    request: Request,
    info: RequestInfo,
    ctx: RequestContext | null,
    trace: RequestTrace | null,
    startedAt: number,
    headAt: number,
    outcome: RequestOutcome,
  ): void {
    const route = ctx?.route ?? ''
    const headMs = headAt - startedAt
    recordRequest?.(route, request.method, outcome.status, headMs)
    if (metrics !== null) {
      metrics.requests.inc([route, request.method, String(outcome.status)])
      if (ctx !== null) {
        metrics.duration.observe([route], headMs / 1000)
        metrics.active.add([route], -1)
        if (ctx.retries > 0) metrics.retries.inc([route], ctx.retries)
      }
    }
    trace?.end(outcome.status)
    if (!accessLog) return
    if (render === null) writeAccess(request, ctx, startedAt, outcome)
    else writeLine(render(request, info, ctx, outcome.status, outcome.bytes, runtime.now() - startedAt))
  }

  function writeAccess(request: Request, ctx: RequestContext | null, startedAt: number, outcome: RequestOutcome): void {
    const record = {
      request_id: ctx?.requestId ?? request.headers.get('x-request-id'),
      client_ip: ctx?.clientIp ?? formatIp(''),
      client_id: ctx?.clientId ?? null,
      method: request.method,
      path: ctx?.path ?? safePath(request.url),
      route: ctx?.route ?? null,
      upstream: ctx?.upstream ?? null,
      retries: ctx?.retries ?? 0,
      status: outcome.status,
      duration_ms: Math.round((runtime.now() - startedAt) * 100) / 100,
      bytes: outcome.bytes,
    }
    logger.access(accessShape === null ? record : shapeAccess(record, accessShape, request.headers))
  }

  return function finish(request, info, ctx, trace, startedAt, answer) {
    const headAt = runtime.now()
    if (!(answer instanceof Response)) {
      // A tunnel's Sent settles at its close: the duration histogram keeps the time to the 101.
      done(request, info, ctx, trace, startedAt, answer.headAt ?? headAt, answer)
      return answer
    }
    const status = answer.status
    const body = answer.body
    if (!needsEnd || body === null) {
      done(request, info, ctx, trace, startedAt, headAt, { status, bytes: body === null ? 0 : -1, aborted: false })
      return answer
    }
    // A body with Content-Length is logged now, with that length: the record then says when the
    // response started (docs/proxy.md, access log). Wrapping costs a JS stream hop per chunk and
    // takes the body off the runtime's native pipe, so only chunked bodies are counted to the end.
    const declared = declaredLength(answer.headers.get('content-length'))
    if (declared >= 0) {
      done(request, info, ctx, trace, startedAt, headAt, { status, bytes: declared, aborted: false })
      return answer
    }
    let ended: (() => void) | null = null
    // Workers: the line is written after the response is returned; keep the isolate alive for it.
    info.waitUntil?.(new Promise<void>((resolve) => (ended = resolve)))
    const counted = observeBody(body, 0, (bytes, aborted) => {
      done(request, info, ctx, trace, startedAt, headAt, { status, bytes, aborted })
      ended?.()
    })
    return new Response(counted, answer)
  }
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return ''
  }
}
