/**
 * Protocol blocks accepted for Runway compatibility, not active yet: `routes[].grpc`
 * (GRPCConfig), `routes[].sse` (SSEConfig) and `routes[].protocol` (ProtocolConfig with its
 * grpc, thrift, rest, graphql, soap, grpc_web and grpc_json parts), every key typed.
 * @module
 */
import { z } from 'zod'
import { clientTls, count, stringList, stringMap } from './schema-later.ts'
import { duration, strict } from './schema-parts.ts'

export const grpc = strict({
  enabled: z.boolean().optional(),
  deadline_propagation: z.boolean().optional(),
  max_recv_msg_size: count.optional(),
  max_send_msg_size: count.optional(),
  authority: z.string().optional(),
  metadata_transforms: strict({
    request_map: stringMap.optional(),
    response_map: stringMap.optional(),
    strip_prefix: z.string().optional(),
    passthrough: stringList.optional(),
  }).optional(),
  health_check: strict({ enabled: z.boolean().optional(), service: z.string().optional() }).optional(),
  reflection: strict({ enabled: z.boolean().optional(), cache_ttl: duration.optional() }).optional(),
})

export const sse = strict({
  enabled: z.boolean().optional(),
  heartbeat_interval: duration.optional(),
  retry_ms: count.optional(),
  connect_event: z.string().optional(),
  disconnect_event: z.string().optional(),
  max_idle: duration.optional(),
  forward_last_event_id: z.boolean().optional(),
  fanout: strict({
    enabled: z.boolean().optional(),
    buffer_size: count.optional(),
    client_buffer_size: count.optional(),
    reconnect_delay: duration.optional(),
    max_reconnects: count.optional(),
    event_filtering: z.boolean().optional(),
    filter_param: z.string().optional(),
  }).optional(),
})

const method = z.string().regex(/^[A-Za-z]+$/, { message: 'is not an HTTP method' })

const grpcTranslate = strict({
  service: z.string().optional(),
  method: z.string().optional(),
  timeout: duration.optional(),
  descriptor_cache_ttl: duration.optional(),
  tls: clientTls.optional(),
  mappings: z.array(strict({ http_method: method, http_path: z.string().min(1), grpc_method: z.string().min(1), body: z.string().optional() })).optional(),
})

/** Runway's ThriftFieldDef, for inline `methods` and `structs`. */
const thriftField = strict({
  id: z.number().int(),
  name: z.string(),
  type: z.string(),
  struct: z.string().optional(),
  elem: z.string().optional(),
  key: z.string().optional(),
  value: z.string().optional(),
})

const thriftTranslate = strict({
  idl_file: z.string().optional(),
  service: z.string().optional(),
  method: z.string().optional(),
  timeout: duration.optional(),
  protocol: z.enum(['binary', 'compact']).optional(),
  transport: z.enum(['framed', 'buffered']).optional(),
  multiplexed: z.boolean().optional(),
  tls: clientTls.optional(),
  mappings: z.array(strict({ http_method: method, http_path: z.string().min(1), thrift_method: z.string().min(1), body: z.string().optional() })).optional(),
  methods: z
    .record(z.string(), strict({ args: z.array(thriftField).optional(), result: z.array(thriftField).optional(), oneway: z.boolean().optional(), void: z.boolean().optional() }))
    .optional(),
  structs: z.record(z.string(), z.array(thriftField)).optional(),
  enums: z.record(z.string(), z.record(z.string(), z.number().int())).optional(),
})

const restTranslate = strict({
  timeout: duration.optional(),
  descriptor_files: stringList.optional(),
  mappings: z
    .array(strict({ grpc_service: z.string(), grpc_method: z.string(), http_method: method, http_path: z.string().min(1), body: z.string().optional() }))
    .optional(),
})

const graphqlTranslate = strict({
  url: z.string().optional(),
  type: z.enum(['query', 'mutation']).optional(),
  query: z.string().optional(),
  variables: stringMap.optional(),
  operation_name: z.string().optional(),
})

const soapTranslate = strict({ url: z.string().optional(), template: z.string().optional(), content_type: z.string().optional() })

const grpcWeb = strict({
  timeout: duration.optional(),
  max_message_size: count.optional(),
  text_mode: z.boolean().optional(),
  tls: clientTls.optional(),
})

const grpcJson = strict({ service: z.string().optional(), method: z.string().optional(), timeout: duration.optional(), tls: clientTls.optional() }).refine(
  (g) => g.method === undefined || g.service !== undefined,
  { message: 'grpc_json.method requires grpc_json.service', path: ['method'] },
)

/** Runway registers these translators (internal/proxy/protocol/*). */
const PROTOCOL_TYPES = ['http_to_grpc', 'http_to_thrift', 'grpc_to_rest', 'grpc_web', 'grpc_json', 'rest_to_graphql', 'rest_to_soap'] as const

export const protocol = strict({
  type: z.enum(PROTOCOL_TYPES),
  grpc: grpcTranslate.optional(),
  thrift: thriftTranslate.optional(),
  rest: restTranslate.optional(),
  graphql: graphqlTranslate.optional(),
  soap: soapTranslate.optional(),
  grpc_web: grpcWeb.optional(),
  grpc_json: grpcJson.optional(),
})
