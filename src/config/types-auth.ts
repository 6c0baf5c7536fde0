/**
 * The authentication blocks (`authentication.*`, `routes[].auth`) as data: the verifiers in
 * src/policies/auth/ take these types.
 * @module
 */

export interface JwtOptions {
  secret?: string
  /** PEM: SPKI (`BEGIN PUBLIC KEY`) or an X.509 certificate. */
  public_key?: string
  /** Allow-list. Default: HS256 with `secret`, RS256 with `public_key` / `jwks_url`. */
  algorithm?: string | string[]
  issuer?: string
  audience?: string | string[]
  jwks_url?: string
  /** Milliseconds (default 1 h). */
  jwks_refresh_interval?: number
  /** Milliseconds of leeway for exp/nbf/iat (default 0). */
  clock_skew?: number
  required_scopes?: string[]
  /** Claim name → request header sent upstream. */
  forward_claims?: Record<string, string>
  /** Also read the token from this cookie / query parameter (after `Authorization`). */
  cookie?: string
  query_param?: string
}

export interface OAuthIntrospectionOptions {
  enabled?: boolean
  /** RFC 7662 §2: https (plain http only to a loopback host). */
  introspection_url?: string
  /** RFC 7662 §2.1 / RFC 6749 §2.3.1: the gateway's own client credentials, sent with HTTP Basic. */
  client_id?: string
  client_secret?: string
  /** Ignored by this method: signature verification of JWT access tokens is the `jwt` method's job. */
  jwks_url?: string
  /** `iss` must equal it (when the server returns `iss`, and it must then). */
  issuer?: string
  /** One of the token's `aud` values must be in it. */
  audience?: string | string[]
  /** Every one must be in the answer's space-delimited `scope`. */
  scopes?: string[]
  /** Milliseconds an active answer is reused, never past the token's `exp` (default 60 s; 0: never). */
  cache_ttl?: number
  /** (portico, not in the config schema) Whole request, body included, in ms (default 3 s). */
  timeout?: number
  /** (portico, not in the config schema) Milliseconds an inactive answer is reused (default 10 s, at most `cache_ttl`). */
  negative_cache_ttl?: number
  /** (portico, not in the config schema) Entries per cache, active and inactive each (default 10,000). */
  max_cache_entries?: number
}

/** The jwt block: the verifier's own options (documented on JwtOptions). */
export type JwtConfig = { enabled: boolean } & JwtOptions

export interface AuthenticationConfig {
  jwt?: JwtConfig
  api_key?: {
    enabled: boolean
    header?: string
    query_param?: string
    store: boolean
    keys: { key: string; client_id?: string; name?: string; expires_at?: string; roles?: string[] }[]
  }
  basic?: {
    enabled: boolean
    realm?: string
    users: { username: string; password_hash: string; client_id?: string; roles?: string[] }[]
  }
  /** RFC 7662 token introspection. */
  oauth?: { enabled: boolean } & OAuthIntrospectionOptions
}

export interface RouteAuthConfig {
  required: boolean
  methods: ('jwt' | 'api_key' | 'basic' | 'oauth')[]
  roles?: string[]
  scopes?: string[]
}
