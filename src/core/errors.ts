/**
 * Typed gateway errors, rendered once as the JSON body of config.md:
 * `{"error":{"status","code","message","request_id"}}`.
 * @module
 */

export class GatewayError extends Error {
  readonly status: number
  readonly code: string
  readonly headers: Record<string, string> | undefined

  constructor(status: number, code: string, message: string, headers?: Record<string, string>) {
    // A refusal is an answer, not a bug: no stack trace is captured (it cost ~10% of CPU in a
    // 401 flood on Node). Error.stackTraceLimit is honoured by V8 and JavaScriptCore alike.
    const E = Error as { stackTraceLimit?: number }
    const limit = E.stackTraceLimit
    E.stackTraceLimit = 0
    super(message)
    E.stackTraceLimit = limit
    this.name = 'GatewayError'
    this.status = status
    this.code = code
    this.headers = headers
  }
}

const utf8 = new TextEncoder()

/** Renders any thrown value; unknown errors become a 500 that leaks no stack or message. */
export function errorResponse(err: unknown, requestId: string): Response {
  const e =
    err instanceof GatewayError ? err : new GatewayError(500, 'internal_error', 'internal gateway error')
  const body = JSON.stringify({
    error: { status: e.status, code: e.code, message: e.message, request_id: requestId },
  })
  const headers = new Headers(e.headers)
  headers.set('content-type', 'application/json')
  headers.set('content-length', String(utf8.encode(body).byteLength))
  headers.set('x-request-id', requestId)
  return new Response(body, { status: e.status, headers })
}
