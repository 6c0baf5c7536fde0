/**
 * One shape for every request/response policy and one for every route handler. A policy is
 * built once per route by its factory (policies/registry.ts lists them in phase order, drawn
 * in docs/phases.md); hooks a policy lacks are left out of the route's lists at compile time,
 * so a route pays nothing per request for phases it does not use (Pingora's optional filters).
 * @module
 */
import type { RequestContext } from './context.ts'
import type { HeaderBag, ResponseHead } from './headers.ts'
import type { Sent } from './runtime.ts'

export type PolicyName = 'ip_filter' | 'cors' | 'security_headers' | 'auth' | 'rate_limit' | 'transform'

export interface RoutePolicy {
  readonly name: PolicyName
  /**
   * Request phase, in registry order. Throw a `GatewayError` to refuse; return a Response to
   * answer the request here (a CORS preflight): later request policies and the handler are
   * skipped, and the answer still passes every `onResponseHead`.
   */
  onRequest?(ctx: RequestContext): void | Response | Promise<void | Response>
  /** Upstream-request phase: edits the fields sent upstream (header transforms). */
  onUpstreamRequest?(ctx: RequestContext, headers: HeaderBag): void
  /** Response phase: edits every answer's head — upstream answers, policy answers and gateway errors. */
  onResponseHead?(ctx: RequestContext, head: ResponseHead): void
}

/** Answers a matched request: a Response whose head is finished, or `Sent` (Node's direct path). */
export type RouteHandler = (ctx: RequestContext) => Promise<Response | Sent>

/** One phase's hook of one policy, as a route's compiled lists hold it. */
export interface PhaseHook<F> {
  readonly name: PolicyName
  readonly run: F
}

export type ResponseHeadHook = PhaseHook<NonNullable<RoutePolicy['onResponseHead']>>
export type UpstreamRequestHook = PhaseHook<NonNullable<RoutePolicy['onUpstreamRequest']>>
export type RequestHook = PhaseHook<NonNullable<RoutePolicy['onRequest']>>
