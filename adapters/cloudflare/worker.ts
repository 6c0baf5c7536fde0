/**
 * Cloudflare Workers entry (`main` in wrangler.toml). The config is the `PORTICO_CONFIG`
 * text binding when present (set by `portico --runtime workerd` or as a wrangler var),
 * otherwise the bundled example. Compiled once per isolate and recompiled only if the text
 * changes: isolates share nothing, so this cache is per-isolate by design.
 * @module
 */
import bundledConfig from '../../configs/portico.yaml'
import type { Hono } from 'hono'
import { formatIssues } from '../../src/config/issues.ts'
import { parseConfig } from '../../src/config/load.ts'
import { createPorticoApp } from './app.ts'
import { GatewayError, errorResponse } from '../../src/core/errors.ts'
import { createGateway } from '../../src/gateway/gateway.ts'
import { createHolder } from '../../src/gateway/holder.ts'
import { createUpstreamState } from '../../src/gateway/upstream-state.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { createMetricsRegistry } from '../../src/observability/metrics.ts'
import { createMemoryStore } from '../../src/store/memory-store.ts'
import type { Store } from '../../src/core/store.ts'
import { createWorkerdRuntime } from './runtime.ts'
import { createWorkerStores } from './stores.ts'
import { createKvConfigSource, type KvConfigSource } from './kv-config.ts'
import type { DurableObjectNamespace, KVNamespace } from './workers-api.ts'
import { createWorkerHealth, HEALTH_BINDING, type WorkerHealth } from './health-client.ts'
import type { HealthStub } from './health-do.ts'
import { workerdUpgrade } from './websocket.ts'

export { PorticoStoreObject } from './do-store.ts'
export { PorticoHealthObject } from './health-do.ts'

export interface WorkerEnv {
  PORTICO_CONFIG?: string
  [binding: string]: unknown
}

type ExecutionContext = import('hono').ExecutionContext

type Built = { app: Hono | null; problem: string | null; ready?: Promise<void>; health?: WorkerHealth }
let cached: ({ text: string } & Built) | null = null
// This isolate's memory store (`mode: local`); kept when the config text changes.
let isolateStore: Store | null = null

function stringEnv(env: WorkerEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v
  return out
}

function build(text: string, env: WorkerEnv, source: KvConfigSource | null): Built {
  const logger = createLogger('info', (line) => console.log(line))
  const parsed = parseConfig(text, 'PORTICO_CONFIG', { env: stringEnv(env) })
  if (!parsed.ok) {
    const problem = formatIssues(parsed.issues)
    logger.error('invalid config', { problems: problem })
    return { app: null, problem }
  }
  const config = parsed.config
  const runtimeLogger = createLogger(config.logging.level, (line) => console.log(line))
  const metrics = createMetricsRegistry()
  isolateStore ??= createMemoryStore({ maxKeys: config.store.max_keys })
  let stores: ReturnType<typeof createWorkerStores>
  try {
    stores = createWorkerStores(config, env, isolateStore, runtimeLogger, metrics)
  } catch (err) {
    const problem = `PORTICO_CONFIG: store: ${(err as Error).message}`
    logger.error('invalid config', { problems: problem })
    return { app: null, problem }
  }
  const health = createWorkerHealth(env[HEALTH_BINDING] as DurableObjectNamespace<HealthStub> | undefined, runtimeLogger)
  const runtime = createWorkerdRuntime({ config, env, logger: runtimeLogger, metrics, stores })
  // Active health checks run in a Durable Object's alarm (health-do.ts), not in this isolate.
  const holder = createHolder(createGateway(config, runtime, createUpstreamState(runtime, health)))
  for (const key of holder.current.inactive) runtime.logger.warn('config key accepted but not active in this version', { key })
  const token = config.admin.token
  if (config.admin.enabled && !token) runtime.logger.warn('admin API disabled on Workers: set admin.token to enable it')
  const app = createPorticoApp(holder, {
    adminMount:
      config.admin.enabled && token
        ? { prefix: config.admin.path_prefix, token, metrics: runtime.metrics, store: stores.shared, pushConfig: source === null ? undefined : (t: string) => source.push(t) }
        : undefined,
    requestInfo: (c) => ({
      // workerd: the platform terminates the client connection; CF-Connecting-IP is the peer.
      remoteAddr: c.req.header('cf-connecting-ip') ?? '',
      waitUntil: (p) => (c.executionCtx as ExecutionContext).waitUntil(p),
      // Only a handshake may switch: the platform relays the upstream's 101 (websocket.ts).
      upgrade: c.req.raw.headers.get('upgrade')?.toLowerCase() === 'websocket' ? workerdUpgrade : undefined,
    }),
  })
  return { app, problem: null, ready: holder.current.ready, health }
}

function invalid(): Response {
  return errorResponse(new GatewayError(503, 'config_invalid', 'gateway configuration is invalid; see logs'), crypto.randomUUID())
}

// Per isolate: where the KV config lives (read from the base config once per base text).
let kvSource: { base: string; source: KvConfigSource | null } | null = null

function kvSourceFor(base: string, env: WorkerEnv): KvConfigSource | null {
  if (kvSource?.base === base) return kvSource.source
  let source: KvConfigSource | null = null
  const parsed = parseConfig(base, 'PORTICO_CONFIG', { env: stringEnv(env) })
  const cf = parsed.ok ? parsed.config.cloudflare : undefined
  if (cf?.config_kv_key !== undefined) {
    const ns = env[cf.kv_binding ?? 'PORTICO_KV'] as KVNamespace | undefined
    if (ns && typeof ns.get === 'function') source = createKvConfigSource(ns, cf.config_kv_key, cf.config_check_interval ?? 30_000, stringEnv(env))
    else console.log(JSON.stringify({ level: 'error', msg: 'cloudflare.config_kv_key is set but the KV binding is missing', binding: cf.kv_binding ?? 'PORTICO_KV' }))
  }
  kvSource = { base, source }
  return source
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Response | Promise<Response> {
    const base = env.PORTICO_CONFIG ?? bundledConfig
    const source = kvSourceFor(base, env)
    if (source === null) return serve(base, request, env, ctx, null)
    return source.current(Date.now()).then((text) => serve(text ?? base, request, env, ctx, source))
  },
}

function serve(text: string, request: Request, env: WorkerEnv, ctx: ExecutionContext, source: KvConfigSource | null): Response | Promise<Response> {
    if (cached === null || cached.text !== text) cached = { text, ...build(text, env, source) }
    if (cached.app === null) return invalid()
    const entry = cached
    // Asynchronous set-up (key imports) finishes once per isolate; a failure is a config error.
    if (entry.ready !== undefined) {
      return entry.ready.then(
        () => {
          entry.ready = undefined
          return run(entry, request, env, ctx)
        },
        (err: unknown) => {
          if (entry.problem === null) {
            entry.problem = `PORTICO_CONFIG: ${(err as Error).message}`
            console.log(JSON.stringify({ level: 'error', msg: 'invalid config', problems: entry.problem }))
          }
          return invalid()
        },
      )
    }
    return run(entry, request, env, ctx)
}

function run(entry: Built, request: Request, env: WorkerEnv, ctx: ExecutionContext): Response | Promise<Response> {
  // Shared health verdicts: read at most once per TTL per isolate, usually in the background.
  const wait = entry.health?.sync((p) => ctx.waitUntil(p)) ?? null
  return wait === null ? entry.app!.fetch(request, env, ctx) : wait.then(() => entry.app!.fetch(request, env, ctx))
}
