/**
 * Header transforms (`transform.request/response.headers.{add,set,remove}`), compiled once.
 * Values may use Runway's variables: `$request_id`, `$remote_addr`, `$host`, `$method`, `$path`.
 * @module
 */
import type { HeaderTransform, RouteConfig } from '../config/types.ts'
import type { RequestContext } from '../core/context.ts'
import type { HeaderBag } from '../core/headers.ts'
import type { RoutePolicy } from '../core/policy.ts'

export interface TransformVars {
  request_id: string
  remote_addr: string
  host: string
  method: string
  path: string
}

type Value = string | ((v: TransformVars) => string)
export type HeaderTransformer = (headers: HeaderBag, vars: TransformVars) => void

const VAR = /\$(request_id|remote_addr|host|method|path)\b/g

function compileValue(raw: string): Value {
  if (!raw.includes('$')) return raw
  const parts = raw.split(VAR)
  if (parts.length === 1) return raw
  // split with a capture group alternates literal, name, literal, name, …
  return (v) => {
    let out = ''
    for (let i = 0; i < parts.length; i++) out += i % 2 === 0 ? parts[i] : v[parts[i] as keyof TransformVars]
    return out
  }
}

export function createHeaderTransformer(t: HeaderTransform | undefined): HeaderTransformer | null {
  if (!t) return null
  const remove = t.remove.map((n) => n.toLowerCase())
  const set = Object.entries(t.set).map(([k, v]) => [k, compileValue(v)] as const)
  const add = Object.entries(t.add).map(([k, v]) => [k, compileValue(v)] as const)
  if (remove.length + set.length + add.length === 0) return null
  return function transformHeaders(headers, vars) {
    for (const name of remove) headers.delete(name)
    for (const [name, value] of set) headers.set(name, typeof value === 'string' ? value : value(vars))
    for (const [name, value] of add) headers.append(name, typeof value === 'string' ? value : value(vars))
  }
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

/**
 * A route's `transform.request/response.headers`: the request side edits the fields sent
 * upstream, the response side every answer's head (after CORS and security headers, so a
 * route can still override them). Null when neither side has an edit.
 */
export function createTransformPolicy(block: RouteConfig['transform']): RoutePolicy | null {
  const up = createHeaderTransformer(block?.request?.headers)
  const down = createHeaderTransformer(block?.response?.headers)
  if (up === null && down === null) return null
  const policy: { name: 'transform'; onUpstreamRequest?: RoutePolicy['onUpstreamRequest']; onResponseHead?: RoutePolicy['onResponseHead'] } = { name: 'transform' }
  if (up !== null) {
    policy.onUpstreamRequest = function transformRequestHeaders(ctx, headers) {
      up(headers, transformVars(ctx))
    }
  }
  if (down !== null) {
    policy.onResponseHead = function transformResponseHeaders(ctx, head) {
      down(head.headers, transformVars(ctx))
    }
  }
  return policy
}
