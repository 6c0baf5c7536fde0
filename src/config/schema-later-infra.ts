/**
 * Infrastructure blocks accepted for Runway compatibility, not active yet: `transport`
 * (TransportConfig, top level and per upstream), `registry` (RegistryConfig: consul, etcd,
 * kubernetes, memory, dns) and `routes[].ai` (AIConfig), every key typed, with the enums
 * Runway's loader and validators check.
 * @module
 */
import { z } from 'zod'
import { count, stringList, stringMap } from './schema-later.ts'
import { duration, strict } from './schema-parts.ts'

export const transport = strict({
  max_idle_conns: count.optional(),
  max_idle_conns_per_host: count.optional(),
  max_conns_per_host: count.optional(),
  idle_conn_timeout: duration.optional(),
  dial_timeout: duration.optional(),
  tls_handshake_timeout: duration.optional(),
  response_header_timeout: duration.optional(),
  expect_continue_timeout: duration.optional(),
  disable_keep_alives: z.boolean().optional(),
  insecure_skip_verify: z.boolean().optional(),
  ca_file: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  force_http2: z.boolean().optional(),
  enable_http3: z.boolean().optional(),
})

/** Runway's TLSConfig as the etcd client uses it. */
const etcdTls = strict({
  enabled: z.boolean().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  ca_file: z.string().optional(),
  client_auth: z.string().optional(),
  client_ca_file: z.string().optional(),
  certificates: z.array(strict({ cert_file: z.string(), key_file: z.string(), hosts: stringList.optional() })).optional(),
})

export const registry = strict({
  type: z.enum(['consul', 'etcd', 'kubernetes', 'memory', 'dns']).optional(),
  consul: strict({
    address: z.string().optional(),
    scheme: z.string().optional(),
    datacenter: z.string().optional(),
    token: z.string().optional(),
    namespace: z.string().optional(),
  }).optional(),
  etcd: strict({ endpoints: stringList.optional(), username: z.string().optional(), password: z.string().optional(), tls: etcdTls.optional() }).optional(),
  kubernetes: strict({
    namespace: z.string().optional(),
    label_selector: z.string().optional(),
    in_cluster: z.boolean().optional(),
    kubeconfig: z.string().optional(),
  }).optional(),
  memory: strict({ api_enabled: z.boolean().optional(), api_port: z.number().int().min(0).max(65535).optional() }).optional(),
  dns: strict({
    domain: z.string().optional(),
    protocol: z.string().optional(),
    nameserver: z.string().optional(),
    poll_interval: duration.optional(),
  }).optional(),
}).refine((r) => r.type !== 'dns' || (r.dns?.domain ?? '') !== '', {
  message: "registry.dns.domain is required when registry type is 'dns'",
  path: ['dns', 'domain'],
})

const promptMessage = strict({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })
const LIMIT_KEY = /^(ip|client_id|(header|cookie|jwt_claim):.+)$/

export const ai = strict({
  enabled: z.boolean().optional(),
  provider: z.enum(['openai', 'anthropic', 'azure_openai', 'gemini']).optional(),
  model: z.string().optional(),
  model_mapping: stringMap.optional(),
  api_key: z.string().optional(),
  base_url: z.string().optional(),
  api_version: z.string().optional(),
  deployment_id: z.string().optional(),
  project_id: z.string().optional(),
  region: z.string().optional(),
  org_id: z.string().optional(),
  timeout: duration.optional(),
  max_tokens: count.optional(),
  temperature: z.number().optional(),
  stream_default: z.boolean().optional(),
  pass_headers: stringList.optional(),
  idle_timeout: duration.optional(),
  max_body_size: count.optional(),
  // Go (RE2) patterns such as "(?i)ignore previous": JavaScript's RegExp cannot check them.
  prompt_guard: strict({
    deny_patterns: stringList.optional(),
    allow_patterns: stringList.optional(),
    deny_action: z.enum(['block', 'log']).optional(),
    max_prompt_len: count.optional(),
  }).optional(),
  prompt_decorate: strict({ prepend: z.array(promptMessage).optional(), append: z.array(promptMessage).optional() }).optional(),
  rate_limit: strict({
    tokens_per_minute: count.optional(),
    tokens_per_day: count.optional(),
    key: z.string().regex(LIMIT_KEY, { message: 'must be ip, client_id, header:<name>, cookie:<name> or jwt_claim:<name>' }).optional(),
  }).optional(),
})
