/**
 * Small pieces of the proxy handler, kept apart so proxy-route.ts reads as the request flow.
 * @module
 */
import type { RequestContext } from './context.ts'
import { GatewayError } from './errors.ts'
import type { TransformVars } from './transform.ts'

/** Smallest positive value; 0 when none is set. */
export function minPositive(...values: (number | undefined)[]): number {
  let out = 0
  for (const v of values) if (v !== undefined && v > 0 && (out === 0 || v < out)) out = v
  return out
}

/** Runs a Headers-based transform on a plain record (only when a route configures one). */
export function applyToRecord(
  transform: (h: Headers, v: TransformVars) => void,
  raw: Record<string, string | string[] | undefined>,
  vars: TransformVars,
): void {
  const h = new Headers()
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue
    if (Array.isArray(v)) for (const item of v) h.append(k, item)
    else h.set(k, v)
  }
  transform(h, vars)
  for (const k of Object.keys(raw)) delete raw[k]
  for (const [k, v] of h) if (k !== 'set-cookie') raw[k] = v
  const cookies = h.getSetCookie()
  if (cookies.length > 0) raw['set-cookie'] = cookies
}

/** 503 with Retry-After: every backend of the pool is unhealthy or ejected. */
export function noHealthyBackend(): GatewayError {
  return new GatewayError(503, 'no_healthy_backend', 'no healthy backend is available', { 'retry-after': '5' })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function transformVars(ctx: RequestContext): TransformVars {
  return {
    request_id: ctx.requestId,
    remote_addr: ctx.clientIp,
    host: ctx.host,
    method: ctx.request.method,
    path: ctx.path,
  }
}

/** A client that went away (499) says nothing about the backend; 5xx and transport errors do. */
export function countsAsFailure(err: unknown): boolean {
  return !(err instanceof GatewayError) || err.status >= 500
}
