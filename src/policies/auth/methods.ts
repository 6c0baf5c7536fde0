/**
 * The global `authentication` block compiled into one AuthMethod per enabled method, shared by
 * every route of a config version. Set-up is asynchronous (key digests, PEM imports): each
 * method is a promise, and `Gateway.ready` waits for all of them, so a bad key fails the
 * start or the reload instead of the first request.
 * @module
 */
import type { AuthenticationConfig } from '../../config/types.ts'
import type { Store } from '../../core/store.ts'
import { createApiKeyAuth } from './api-key.ts'
import type { AuthMethod, AuthMethodName } from './types.ts'

export interface AuthDeps {
  fetch: typeof fetch
  /** The shared store (admin-managed API keys). */
  store?: Store
}

export function createAuthMethods(auth: AuthenticationConfig | undefined, deps: AuthDeps): Map<AuthMethodName, Promise<AuthMethod>> {
  const out = new Map<AuthMethodName, Promise<AuthMethod>>()
  if (auth === undefined) return out
  const add = (name: AuthMethodName, init: () => Promise<AuthMethod>) => {
    // Wrapped so a synchronous throw becomes the same rejected promise, named by its key path.
    const p = Promise.resolve()
      .then(init)
      .catch((err: unknown) => {
        const msg = String((err as Error)?.message ?? err)
        throw new Error(msg.startsWith('authentication.') ? msg : `authentication.${name}: ${msg}`)
      })
    p.catch(() => {}) // reported through Gateway.ready, not as an unhandled rejection
    out.set(name, p)
  }
  if (auth.api_key?.enabled) add('api_key', () => createApiKeyAuth(auth.api_key!, Date.now, deps.store))
  // bcryptjs and jose (~165 KB of code) load only for the methods that use them.
  if (auth.basic?.enabled) add('basic', async () => (await import('./basic.ts')).createBasicAuth(auth.basic!))
  if (auth.jwt?.enabled) add('jwt', () => createJwtMethod(auth.jwt!, deps))
  if (auth.oauth?.enabled) add('oauth', async () => (await import('./oauth.ts')).createOAuthIntrospection(auth.oauth!, deps))
  return out
}

async function createJwtMethod(options: NonNullable<AuthenticationConfig['jwt']>, deps: AuthDeps): Promise<AuthMethod> {
  const { createJwtVerifier } = await import('./jwt.ts')
  const v = await createJwtVerifier(options, { fetch: deps.fetch })
  return {
    name: 'jwt',
    challenge: v.challenge,
    forwardedHeaders: v.forwardedHeaders,
    credential: (request, url) => v.extract(request, url),
    async verify(token) {
      const o = await v.verify(token)
      return o.ok ? { ...o, roles: [] } : o
    },
  }
}
