/**
 * A route's `auth`: the methods it accepts, tried in order. The first method whose kind of
 * credential the request carries decides — a bad credential is refused (401), never passed on
 * to the next method, so a forged token cannot fall through to a weaker check. With no
 * credential at all, `required` routes answer 401 with every accepted challenge (RFC 9110
 * §11.6.1 allows several); a valid identity lacking the route's roles/scopes gets 403.
 * Identity headers sent upstream (X-Client-ID, forward_claims) are always stripped from the
 * incoming request first, so a client cannot forge them.
 * @module
 */
import type { RequestContext } from '../../core/context.ts'
import type { RoutePolicy } from '../../core/policy.ts'
import { GatewayError } from '../../core/errors.ts'
import type { AuthIdentity, AuthMethod, AuthMethodName } from './types.ts'

export interface RouteAuthOptions {
  required: boolean
  methods: AuthMethodName[]
  /** (portico) the identity needs at least one of these roles. */
  roles?: string[]
  /** (portico) the identity needs all of these scopes. */
  scopes?: string[]
}

export type RouteAuthenticator = (ctx: RequestContext) => Promise<void>

export const CLIENT_ID_HEADER = 'x-client-id'

/** A route's `auth`; null when it names no method. */
export function createAuthPolicy(route: string, options: RouteAuthOptions | undefined, available: Map<AuthMethodName, Promise<AuthMethod>>): RoutePolicy | null {
  if (options === undefined || options.methods.length === 0) return null
  return { name: 'auth', onRequest: createRouteAuth(route, options, available) }
}

export function createRouteAuth(route: string, options: RouteAuthOptions, available: Map<AuthMethodName, Promise<AuthMethod>>): RouteAuthenticator {
  const pending = options.methods.map((name, i) => {
    const m = available.get(name)
    if (m === undefined) throw new Error(`routes.${route}.auth.methods.${i}: "${name}" is not configured (authentication.${name} missing or disabled)`)
    return m
  })
  let methods: AuthMethod[] | null = null
  let strip: string[] = []
  let challenge = ''
  const roles = options.roles ?? []
  const scopes = options.scopes ?? []

  function admit(ctx: RequestContext, id: AuthIdentity): void {
    if (roles.length > 0 && !roles.some((r) => id.roles.includes(r))) {
      throw new GatewayError(403, 'forbidden', `this route needs one of the roles: ${roles.join(', ')}`)
    }
    const missing = scopes.filter((s) => !id.scopes.includes(s))
    if (missing.length > 0) {
      throw new GatewayError(403, 'insufficient_scope', `missing scope: ${missing.join(' ')}`, {
        'www-authenticate': `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"`,
      })
    }
    ctx.clientId = id.clientId
    ctx.claims = id.claims
    const up: [string, string | null][] = strip.map((h) => [h, null])
    if (id.clientId !== null) up.push([CLIENT_ID_HEADER, id.clientId.replace(/[\r\n\0]/g, '')])
    for (const f of id.forward) up.push(f)
    // Appended: edits made before auth (the client-certificate fields) must survive.
    ctx.upstreamHeaders = [...(ctx.upstreamHeaders ?? []), ...up]
  }

  return async function authenticate(ctx) {
    if (methods === null) {
      methods = await Promise.all(pending)
      strip = [CLIENT_ID_HEADER, ...new Set(methods.flatMap((m) => m.forwardedHeaders))]
      challenge = methods.map((m) => m.challenge).join(', ')
    }
    for (const m of methods) {
      const cred = m.credential(ctx.request, ctx.url)
      if (cred === null) continue
      const outcome = await m.verify(cred)
      if (!outcome.ok) throw new GatewayError(outcome.status, outcome.code, outcome.message, { 'www-authenticate': outcome.wwwAuthenticate })
      return admit(ctx, outcome)
    }
    if (options.required) throw new GatewayError(401, 'unauthenticated', 'authentication required', { 'www-authenticate': challenge })
    ctx.upstreamHeaders = [...(ctx.upstreamHeaders ?? []), ...strip.map((h): [string, null] => [h, null])]
  }
}
