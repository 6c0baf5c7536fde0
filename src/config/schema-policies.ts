/**
 * Schema blocks of the active edge, auth and lifecycle features (ip_filter, authentication,
 * route auth, CORS, security headers, tracing, shutdown). types-policies.ts and types-auth.ts
 * hold the types they produce; schema-check.ts proves both sides agree.
 * @module
 */
import { z } from 'zod'
import { ALWAYS, checkAliases } from './schema-alias.ts'
import { duration, strict } from './schema-parts.ts'

const stringList = z.array(z.string())
const oneOrMany = z.union([z.string(), stringList])

/** Runway `ip_filter` (global and per route); `enabled` defaults to true like Portico's other blocks. */
export const ipFilter = strict({
  enabled: z.boolean().default(true),
  allow: stringList.default([]),
  deny: stringList.default([]),
  order: z.enum(['deny_first', 'allow_first']).default('deny_first'),
})

const jwt = strict({
  enabled: z.boolean().default(true),
  secret: z.string().optional(),
  public_key: z.string().optional(),
  algorithm: oneOrMany.optional(),
  issuer: z.string().optional(),
  audience: oneOrMany.optional(),
  jwks_url: z.string().optional(),
  jwks_refresh_interval: duration.optional(),
  clock_skew: duration.optional(),
  required_scopes: stringList.optional(),
  forward_claims: z.record(z.string(), z.string()).optional(),
  /** (portico) also read the token from this cookie / query parameter (after Authorization). */
  cookie: z.string().min(1).optional(),
  query_param: z.string().min(1).optional(),
})

const apiKey = strict({
  enabled: z.boolean().default(true),
  header: z.string().optional(),
  query_param: z.string().optional(),
  /** (portico) also accept keys kept in the shared store (added/revoked via admin /api-keys). */
  store: z.boolean().default(false),
  keys: z
    .array(
      strict({
        key: z.string().min(1),
        client_id: z.string().optional(),
        name: z.string().optional(),
        expires_at: z.string().optional(),
        roles: stringList.optional(),
      }),
    )
    .default([]),
})

const basic = strict({
  enabled: z.boolean().default(true),
  realm: z.string().optional(),
  users: z
    .array(
      strict({
        username: z.string().min(1),
        password_hash: z.string().min(1),
        client_id: z.string().optional(),
        roles: stringList.optional(),
      }),
    )
    .default([]),
})

const oauth = strict({
  enabled: z.boolean().default(true),
  introspection_url: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  jwks_url: z.string().optional(),
  issuer: z.string().optional(),
  audience: oneOrMany.optional(),
  scopes: stringList.optional(),
  cache_ttl: duration.optional(),
})

export const authentication = strict({
  jwt: jwt.optional(),
  api_key: apiKey.optional(),
  basic: basic.optional(),
  oauth: oauth.optional(),
})

export const tracing = strict({
  enabled: z.boolean().default(false),
  exporter: z.string().optional(),
  endpoint: z.string().optional(),
  service_name: z.string().optional(),
  sample_rate: z.number().min(0).max(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
})

export const shutdown = strict({ timeout: duration.optional(), drain_delay: duration.optional() })

export const routeAuth = strict({
  required: z.boolean().default(true),
  methods: z.array(z.enum(['jwt', 'api_key', 'basic', 'oauth'])).default([]),
  /** (portico) the identity needs at least one of these roles (API key / Basic user roles). */
  roles: stringList.optional(),
  /** (portico) the identity needs all of these scopes (token `scope`/`scp`). */
  scopes: stringList.optional(),
})

export const securityHeaders = strict({
  enabled: z.boolean().default(true),
  hsts: strict({
    enabled: z.boolean().optional(),
    max_age: z.number().int().min(0).optional(),
    include_subdomains: z.boolean().optional(),
    preload: z.boolean().optional(),
  }).optional(),
  content_type_options: z.boolean().optional(),
  frame_options: z.union([z.enum(['DENY', 'SAMEORIGIN']), z.literal(false)]).optional(),
  content_security_policy: z.string().optional(),
  referrer_policy: z.union([z.string(), z.literal(false)]).optional(),
  permissions_policy: z.string().optional(),
  xss_protection: z.union([z.boolean(), z.string()]).optional(),
  // Runway's spellings: header values as strings (checked in src/policies/security-headers.ts).
  strict_transport_security: z.string().optional(),
  x_content_type_options: z.string().optional(),
  x_frame_options: z.string().optional(),
}).superRefine(
  checkAliases({ strict_transport_security: 'hsts', x_content_type_options: 'content_type_options', x_frame_options: 'frame_options' }),
  ALWAYS,
)

export const cors = strict({
  enabled: z.boolean().default(true),
  allow_origins: stringList.optional(),
  allow_origin_patterns: stringList.optional(),
  allow_methods: stringList.optional(),
  allow_headers: stringList.optional(),
  expose_headers: stringList.optional(),
  allow_credentials: z.boolean().optional(),
  max_age: z.number().int().min(0).optional(),
})
