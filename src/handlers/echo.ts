/**
 * The built-in echo handler (`echo: true`): answers with the request it received, as JSON.
 * Used by the bundled demo and by the conformance suite.
 * @module
 */
import type { ResponseHeadHook, RouteHandler } from '../core/policy.ts'
import { finishHead } from '../proxy/response-head.ts'

export async function echoResponse(request: Request, url: URL, path: string): Promise<Response> {
  const query: Record<string, string | string[]> = {}
  for (const [k, v] of url.searchParams) {
    const prior = query[k]
    query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v]
  }
  const headers: Record<string, string> = {}
  for (const [k, v] of request.headers) headers[k] = v
  const body = request.body === null ? '' : await request.text()
  const payload = { method: request.method, path, query, headers, body }
  return new Response(JSON.stringify(payload), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  })
}

/** The handler of `echo: true` routes; its answer passes the route's response phase. */
export function createEchoHandler(hooks: readonly ResponseHeadHook[]): RouteHandler {
  return async function echoRoute(ctx) {
    const res = await echoResponse(ctx.request, ctx.url, ctx.path)
    finishHead(ctx, { status: res.status, headers: res.headers }, hooks)
    return res
  }
}
