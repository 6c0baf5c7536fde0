/**
 * Blocks accepted before their features are active take every key of Runway's struct
 * (Runway's config/config.go at 0bb5bea): a block written with all of them passes and is
 * reported as accepted but not active; a typo or a wrong type inside it is an error.
 */
import { describe, expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { inactiveKeysOf } from '../../../src/gateway/gateway.ts'

const parse = (text: string) => parseConfig(text, 'f.yaml', { env: {} })
function inactive(text: string): string[] {
  const res = parse(text)
  if (!res.ok) throw new Error(formatIssues(res.issues))
  return inactiveKeysOf(res.config)
}
function refused(text: string): Record<string, string> {
  const res = parse(text)
  if (res.ok) throw new Error('expected the config to be refused')
  return Object.fromEntries(res.issues.map((i) => [i.path, i.message]))
}
const route = (body: string) => `routes:\n  - id: r\n    path: /r\n    backends: [{ url: "http://h:1" }]\n${body.replace(/^/gm, '    ')}`

/** Each route block with every key Runway's struct has. */
const ROUTE_BLOCKS: Record<string, string> = {
  cache: `cache: { enabled: true, ttl: 60s, max_size: 1000, max_body_size: 65536, key_headers: [Accept], methods: [GET, HEAD], mode: distributed,
  conditional: true, bucket: product-cache, stale_while_revalidate: 30s, stale_if_error: 5m, tag_headers: [Cache-Tag], tags: [products] }`,
  compression: 'compression: { enabled: true, level: 6, min_size: 1024, content_types: [application/json], algorithms: [gzip, br, zstd] }',
  mirror: `mirror:
  enabled: true
  backends: [{ url: "http://shadow:9000", weight: 2, health_check: { path: /h } }]
  percentage: 10
  conditions: { methods: [GET, POST], headers: { X-Mirror: "true" }, path_regex: "^/api/v2/.*" }
  compare: { enabled: true, log_mismatches: true, detailed_diff: true, max_body_capture: 1048576, max_mismatches: 100, ignore_headers: [Date], ignore_json_fields: [timestamp] }`,
  coalesce: 'coalesce: { enabled: true, timeout: 5s, key_headers: [Accept, Authorization], methods: [GET, HEAD] }',
  grpc: `grpc:
  enabled: true
  deadline_propagation: true
  max_recv_msg_size: 4194304
  max_send_msg_size: 4194304
  authority: grpc-backend.svc
  metadata_transforms: { request_map: { X-Request-Id: x-request-id }, response_map: { x-trace: X-Trace }, strip_prefix: x-custom-, passthrough: [authorization] }
  health_check: { enabled: true, service: pkg.Service }
  reflection: { enabled: true, cache_ttl: 5m }`,
  sse: `sse:
  enabled: true
  heartbeat_interval: 30s
  retry_ms: 3000
  connect_event: connected
  disconnect_event: disconnected
  max_idle: 5m
  forward_last_event_id: true
  fanout: { enabled: true, buffer_size: 256, client_buffer_size: 64, reconnect_delay: 1s, max_reconnects: 0, event_filtering: true, filter_param: event_type }`,
  protocol: `protocol:
  type: http_to_grpc
  grpc:
    service: myapp.UserService
    method: GetUser
    timeout: 10s
    descriptor_cache_ttl: 5m
    tls: { enabled: true, cert_file: c.pem, key_file: k.pem, ca_file: ca.pem }
    mappings: [{ http_method: GET, http_path: "/users/:id", grpc_method: GetUser, body: "" }]
  thrift:
    idl_file: /etc/idl/s.thrift
    service: UserService
    method: GetUser
    timeout: 30s
    protocol: compact
    transport: buffered
    multiplexed: true
    tls: { enabled: false }
    mappings: [{ http_method: GET, http_path: /users, thrift_method: ListUsers, body: "" }]
    methods: { GetUser: { args: [{ id: 1, name: user_id, type: string }], result: [{ id: 0, name: success, type: struct, struct: User }], oneway: false, void: false } }
    structs: { User: [{ id: 1, name: tags, type: list, elem: string }, { id: 2, name: attrs, type: map, key: string, value: string }] }
    enums: { Status: { ACTIVE: 1 } }
  rest: { timeout: 30s, descriptor_files: [/etc/proto/s.pb], mappings: [{ grpc_service: u.S, grpc_method: Get, http_method: GET, http_path: "/u/{id}", body: "" }] }
  graphql: { url: "http://gql:4000", type: query, query: "{ me { id } }", variables: { id: "1" }, operation_name: Me }
  soap: { url: "http://soap:8080", template: "<x/>", content_type: text/xml }
  grpc_web: { timeout: 30s, max_message_size: 4194304, text_mode: true, tls: { enabled: true, ca_file: ca.pem } }
  grpc_json: { service: s.S, method: M, timeout: 30s, tls: { enabled: false } }`,
  ai: `ai:
  enabled: true
  provider: azure_openai
  model: gpt-4
  model_mapping: { cheap: gpt-4o-mini }
  api_key: sk-test
  base_url: https://r.openai.azure.com
  api_version: "2024-02-01"
  deployment_id: d1
  project_id: p1
  region: us-central1
  org_id: o1
  timeout: 60s
  max_tokens: 4096
  temperature: 0.2
  stream_default: true
  pass_headers: [X-Trace]
  idle_timeout: 30s
  max_body_size: 10485760
  prompt_guard: { deny_patterns: ["(?i)ignore previous instructions"], allow_patterns: ["(?i)noise"], deny_action: log, max_prompt_len: 50000 }
  prompt_decorate: { prepend: [{ role: system, content: Be brief. }], append: [{ role: user, content: Thanks. }] }
  rate_limit: { tokens_per_minute: 100000, tokens_per_day: 1000000, key: client_id }`,
}

const SHAPING = `throttle: { enabled: true, rate: 50, burst: 10, max_wait: 5s, per_ip: true }
bandwidth: { enabled: true, request_rate: 1048576, response_rate: 5242880, request_burst: 1048576, response_burst: 5242880 }
priority: { enabled: true, max_concurrent: 100, max_wait: 30s, default_level: 5, levels: [{ level: 1, headers: { X-Priority: critical }, client_ids: [premium] }] }
fault_injection: { enabled: true, delay: { percentage: 10, duration: 500ms }, abort: { percentage: 5, status_code: 503 } }
request_queue: { enabled: true, max_depth: 50, max_wait: 10s }`
const indent = (text: string, n: number) => text.replace(/^/gm, ' '.repeat(n))

const TRANSPORT = [
  '{ max_idle_conns: 200, max_idle_conns_per_host: 20, max_conns_per_host: 50, idle_conn_timeout: 120s, dial_timeout: 10s,',
  'tls_handshake_timeout: 5s, response_header_timeout: 30s, expect_continue_timeout: 1s, disable_keep_alives: false,',
  'insecure_skip_verify: false, ca_file: ca.pem, cert_file: c.pem, key_file: k.pem, force_http2: true, enable_http3: false }',
].join(' ')

describe('route blocks take every Runway key and are reported as not active', () => {
  for (const [key, block] of Object.entries(ROUTE_BLOCKS)) {
    test(key, () => {
      // An ai route is its own target (Runway: exclusive with backends), so it gets no backend.
      const text = key === 'ai' ? route(block).replace('    backends: [{ url: "http://h:1" }]\n', '') : route(block)
      expect(inactive(text)).toEqual([`routes.r.${key}`])
    })
  }

  test('websocket is active: every Runway key validates and nothing is reported', () => {
    expect(inactive(route('websocket: { enabled: true, read_buffer_size: 4096, write_buffer_size: 4096, read_timeout: 60s, write_timeout: 10s, ping_interval: 30s, pong_timeout: 10s }'))).toEqual([])
  })

  test('service: a service-discovery target in place of backends', () => {
    expect(inactive('routes: [{ id: r, path: /r, service: { name: users-service, tags: [production] } }]')).toEqual(['routes.r.service'])
    expect(refused('routes: [{ id: r, path: /r, service: { tags: [production] } }]')['routes.0.service.name']).toBeDefined()
  })

  test('mirror: a named upstream instead of inline backends, not both', () => {
    expect(inactive(`upstreams: { shadow: { backends: [{ url: "http://s:1" }] } }\n${route('mirror: { enabled: true, upstream: shadow }')}`)).toEqual(['routes.r.mirror'])
    expect(refused(route('mirror: { upstream: shadow, backends: [{ url: "http://s:1" }] }'))['routes.0.mirror.upstream']).toBe('upstream and backends are mutually exclusive')
  })

  test('every protocol translation type Runway registers', () => {
    for (const type of ['http_to_grpc', 'http_to_thrift', 'grpc_to_rest', 'grpc_web', 'grpc_json', 'rest_to_graphql', 'rest_to_soap']) {
      expect(inactive(route(`protocol: { type: ${type} }`))).toEqual(['routes.r.protocol'])
    }
  })

  test('traffic_shaping: every part but adaptive_concurrency is listed, per route and at the top level', () => {
    const text = `traffic_shaping:\n${indent(SHAPING, 2)}\n${route(`traffic_shaping:\n${indent(SHAPING, 2)}\n  adaptive_concurrency: { enabled: true }`)}`
    const parts = ['throttle', 'bandwidth', 'priority', 'fault_injection', 'request_queue']
    expect(inactive(text)).toEqual([...parts.map((p) => `traffic_shaping.${p}`), ...parts.map((p) => `routes.r.traffic_shaping.${p}`)])
  })
})

describe('listener, upstream and top-level blocks', () => {
  test('listeners[].tcp, .udp and http.enable_http3', () => {
    const text = `listeners:
  - { id: tcp-db, address: ":5432", protocol: tcp, tcp: { sni_routing: true, connect_timeout: 10s, idle_timeout: 5m, proxy_protocol: true } }
  - { id: dns, address: ":5353", protocol: udp, udp: { session_timeout: 30s, read_buffer_size: 65535, write_buffer_size: 65535 } }
  - { id: h3, address: ":8443", http: { enable_http3: true } }`
    expect(inactive(text)).toEqual([
      'listeners.0.protocol: tcp',
      'listeners.0.tcp',
      'listeners.1.protocol: udp',
      'listeners.1.udp',
      'listeners.2.http.enable_http3',
    ])
  })

  test('transport at the top level and per upstream; upstream service', () => {
    const text = `transport: ${TRANSPORT}\nupstreams:\n  u: { backends: [{ url: "http://h:1" }], transport: ${TRANSPORT} }\n  s: { service: { name: s, tags: [a] } }`
    expect(inactive(text)).toEqual(['transport', 'upstreams.u.transport', 'upstreams.s.service'])
  })

  test('tcp_routes and udp_routes', () => {
    const text = `tcp_routes: [{ id: mysql, listener: tcp-db, match: { sni: [db.example.com], source_cidr: [10.0.0.0/8] }, backends: [{ url: "tcp://db:3306", weight: 1 }] }]
udp_routes: [{ id: dns, listener: udp-dns, backends: [{ url: "udp://8.8.8.8:53" }] }]`
    expect(inactive(text)).toEqual(['tcp_routes', 'udp_routes'])
  })

  test('registry: every provider with every key', () => {
    const registries = [
      'type: consul, consul: { address: "localhost:8500", scheme: https, datacenter: dc1, token: t, namespace: prod }',
      'type: etcd, etcd: { endpoints: ["etcd-1:2379"], username: u, password: p, tls: { enabled: true, cert_file: c, key_file: k, ca_file: ca, client_auth: none, client_ca_file: cc } }',
      'type: kubernetes, kubernetes: { namespace: default, label_selector: "app=x", in_cluster: false, kubeconfig: /home/u/.kube/config }',
      'type: memory, memory: { api_enabled: true, api_port: 8082 }',
      'type: dns, dns: { domain: service.consul, protocol: udp, nameserver: "10.0.0.53:8600", poll_interval: 30s }',
    ]
    for (const r of registries) expect(inactive(`registry: { ${r} }`)).toEqual(['registry'])
  })
})

describe('a typo or a wrong type inside an inactive block is still an error', () => {
  test('unknown keys name the closest one', () => {
    const p = refused(route('cache: { ttl: 60s, max_sise: 10 }\ncoalesce: { timout: 5s }\nprotocol: { type: grpc_web, grpc_webb: {} }'))
    expect(p['routes.0.cache.max_sise']).toBe('unknown key "max_sise" (did you mean "max_size"?)')
    expect(p['routes.0.coalesce.timout']).toBe('unknown key "timout" (did you mean "timeout"?)')
    expect(p['routes.0.protocol.grpc_webb']).toBe('unknown key "grpc_webb" (did you mean "grpc_web"?)')
    const top = refused('traffic_shaping: { throtle: { rate: 1 } }\ntransport: { dial_timout: 1s }\nlisteners: [{ address: ":1", tcp: { sni_routng: true } }]')
    expect(top['traffic_shaping.throtle']).toContain('did you mean "throttle"?')
    expect(top['transport.dial_timout']).toContain('did you mean "dial_timeout"?')
    expect(top['listeners.0.tcp.sni_routng']).toContain('did you mean "sni_routing"?')
  })

  test("types, enums and the ranges Runway's validators check", () => {
    const p = refused(
      route(`websocket: { read_buffer_size: big }
compression: { level: 12, algorithms: [lz4] }
sse: { heartbeat_interval: soon }
grpc: { max_recv_msg_size: -1 }
cache: { mode: shared, bucket: "a b" }
mirror: { percentage: 150 }
protocol: { type: grpc-web }
ai: { provider: openia, prompt_decorate: { prepend: [{ role: robot, content: x }] } }
traffic_shaping: { fault_injection: { abort: { status_code: 700 } }, priority: { default_level: 11 }, throttle: { enabled: true } }`),
    )
    for (const path of [
      'routes.0.websocket.read_buffer_size',
      'routes.0.compression.level',
      'routes.0.compression.algorithms.0',
      'routes.0.sse.heartbeat_interval',
      'routes.0.grpc.max_recv_msg_size',
      'routes.0.cache.mode',
      'routes.0.cache.bucket',
      'routes.0.mirror.percentage',
      'routes.0.protocol.type',
      'routes.0.ai.provider',
      'routes.0.ai.prompt_decorate.prepend.0.role',
      'routes.0.traffic_shaping.fault_injection.abort.status_code',
      'routes.0.traffic_shaping.priority.default_level',
      'routes.0.traffic_shaping.throttle.rate',
    ]) {
      expect(p[path], path).toBeDefined()
    }
    const top = refused('transport: { max_idle_conns: 1.5 }\nregistry: { type: zookeeper }')
    expect(top['transport.max_idle_conns']).toBeDefined()
    expect(top['registry.type']).toBeDefined()
    expect(refused('registry: { type: dns }')['registry.dns.domain']).toBe("registry.dns.domain is required when registry type is 'dns'")
    expect(refused(route('protocol: { type: grpc_json, grpc_json: { method: M } }'))['routes.0.protocol.grpc_json.method']).toBe('grpc_json.method requires grpc_json.service')
    expect(refused(route('protocol: { type: grpc_web, grpc_web: { tls: { enabled: true } } }'))['routes.0.protocol.grpc_web.tls.ca_file']).toBe('tls enabled needs ca_file')
  })
})
