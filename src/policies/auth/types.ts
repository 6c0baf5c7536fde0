/**
 * One authentication method (jwt, api_key, basic, oauth) as the route's auth chain sees it:
 * whether the request carries its kind of credential, and the verdict on it.
 * @module
 */

export type AuthMethodName = 'jwt' | 'api_key' | 'basic' | 'oauth'

export interface AuthIdentity {
  ok: true
  /** The authenticated client: API key's client_id, Basic user's client_id, token `sub`. */
  clientId: string | null
  roles: string[]
  scopes: string[]
  claims: Record<string, unknown> | null
  /** Headers to send upstream (forward_claims); their incoming copies are always stripped. */
  forward: [string, string][]
}

export interface AuthRefusal {
  ok: false
  status: 401 | 403
  code: string
  message: string
  /** RFC 9110 §11.6.1 challenge for this method. */
  wwwAuthenticate: string
}

export type AuthOutcome = AuthIdentity | AuthRefusal

export interface AuthMethod {
  readonly name: AuthMethodName
  /** The challenge sent when no credential of any accepted kind was presented. */
  readonly challenge: string
  /** Upstream header names this method may set (their incoming copies are stripped). */
  readonly forwardedHeaders: string[]
  /** The credential in the request, or null when this method does not apply. */
  credential(request: Request, url: URL): string | null
  verify(credential: string): Promise<AuthOutcome>
}

export function refuse(status: 401 | 403, code: string, message: string, wwwAuthenticate: string): AuthRefusal {
  return { ok: false, status, code, message, wwwAuthenticate }
}

/** Bytes compared in time independent of where they differ (no early exit). */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i % (b.length || 1)] ?? 0)
  return diff === 0
}

export async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
