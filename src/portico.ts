/**
 * `import { createPortico } from 'portico'`: the gateway as a fetch handler, for any host that
 * speaks Request/Response (each use is shown in docs/embedding.md).
 * The config is validated exactly as `portico --validate` does; an invalid one throws a
 * PorticoConfigError whose message is the CLI's `FILE: key.path: message` lines.
 * @module
 */
import { Hono } from 'hono'
import { createAdminApp } from './admin/admin-app.ts'
import { formatIssues } from './config/issues.ts'
import { type ParseResult, parseConfig } from './config/load.ts'
import type { Config, ConfigIssue } from './config/types.ts'
import { GatewayError, errorResponse } from './core/errors.ts'
import { createGateway } from './gateway/gateway.ts'
import { createHolder } from './gateway/holder.ts'
import { createReloader, type ReloadStatus } from './gateway/reload.ts'
import type { Forwarder, Runtime } from './core/runtime.ts'
import type { LimitStores } from './core/store.ts'
import { createLogger, type LogSink } from './observability/logger.ts'
import { createMetricsRegistry } from './observability/metrics.ts'
import { createMemoryStore } from './store/memory-store.ts'
import { createPorticoRuntime, requestInfoOf } from './portico-runtime.ts'

export type { Config, ConfigIssue, ReloadStatus }
export type { Forwarder, Runtime, RuntimeName } from './core/runtime.ts'

/** YAML or JSON text, or the same structure as a plain object. */
export type PorticoConfigInput = string | Record<string, unknown>

export interface PorticoOptions {
  config: PorticoConfigInput
  /** Labels config problems (`FILE: key.path: message`); default `config`. */
  file?: string
  /**
   * Values for `${env:NAME}` and `${NAME}`; default none: this module runs where no process
   * environment exists, so the host passes its own (docs/embedding.md).
   */
  env?: Record<string, string | undefined>
  /** Where log lines go; default console.log. */
  log?: LogSink
  /** Upstream transport; default the runtime's fetch with its decoding quirks handled. */
  forward?: Forwarder
  /** Limit stores; default in memory. Needed for `store.type` other than memory. */
  stores?: LimitStores
  /** Peer address of a request when the serving API passes it some other way. */
  remoteAddr?: (request: Request, env: unknown, ctx: unknown) => string
}

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void
}

export interface Portico {
  /** Answers one request. `env` and `ctx` are whatever the host passes (Bun's server, Deno's info, Workers' env and ctx). */
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>
  /** Settles when the first config version is ready to serve; rejects when it cannot be. */
  readonly ready: Promise<void>
  /** Swaps in a new config atomically; throws PorticoConfigError (and keeps the old one) when it is invalid. */
  reload(config: PorticoConfigInput): Promise<ReloadStatus>
  /** Stops background work (health checks). In-flight requests finish. */
  close(): Promise<void>
}

export class PorticoConfigError extends Error {
  readonly issues: readonly ConfigIssue[]
  constructor(issues: readonly ConfigIssue[], message = formatIssues(issues)) {
    super(message)
    this.name = 'PorticoConfigError'
    this.issues = issues
  }
}

/** Validates config input the way the CLI validates a file (an object is checked as its JSON text). */
export function parsePorticoConfig(input: PorticoConfigInput, file = 'config', env: Record<string, string | undefined> = {}): ParseResult {
  if (typeof input !== 'string' && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    return { ok: false, issues: [{ file, path: '', message: 'config must be YAML/JSON text or a plain object' }] }
  }
  if (typeof input === 'string') return parseConfig(input, file, { env })
  const parsed = parseConfig(JSON.stringify(input), file, { env })
  // Lines of the JSON text would point nowhere the caller wrote: key paths only.
  return parsed.ok ? parsed : { ok: false, issues: parsed.issues.map(({ line: _line, ...issue }) => issue) }
}

function validated(input: PorticoConfigInput, file: string, env: Record<string, string | undefined>): { config: Config; warnings: string[] } {
  const parsed = parsePorticoConfig(input, file, env)
  if (!parsed.ok) throw new PorticoConfigError(parsed.issues)
  return parsed
}

function invalid(): Response {
  return errorResponse(new GatewayError(503, 'config_invalid', 'gateway configuration is invalid; see logs'), crypto.randomUUID())
}

export function createPortico(options: PorticoOptions): Portico {
  const file = options.file ?? 'config'
  const env = options.env ?? {}
  const { config, warnings } = validated(options.config, file, env)
  const sink = options.log ?? ((line: string) => console.log(line))
  const logger = createLogger(config.logging.level, sink)
  if (config.store.type !== 'memory' && options.stores === undefined) {
    throw new PorticoConfigError([
      { file, path: 'store.type', message: `"${config.store.type}" needs its client: pass options.stores, or serve with portico/node, portico/bun, portico/deno or portico/cloudflare` },
    ])
  }
  const local = createMemoryStore({ maxKeys: config.store.max_keys })
  const runtime: Runtime = createPorticoRuntime({
    logger,
    metrics: createMetricsRegistry(),
    // Created once: limit counters outlive config versions, as on the server runtimes.
    stores: options.stores ?? { local, shared: local },
    forward: options.forward,
  })
  for (const w of warnings) logger.warn(`${file}: ${w}`)
  const holder = createHolder(createGateway(config, runtime))
  for (const key of holder.current.inactive) logger.warn('config key accepted but not active in this version', { key })

  // Reloads run in call order (the reloader queues them), so each takes the next pending input.
  const pending: ParseResult[] = []
  const reloader = createReloader(holder, () => pending.shift() ?? { ok: false, issues: [{ file, path: '', message: 'no config to reload' }] }, runtime)

  // Like Workers: no admin listener of its own; mounted under admin.path_prefix, token required.
  let admin: { prefix: string; app: Hono } | null = null
  const mountAdmin = (c: Config) => {
    const token = c.admin.enabled ? c.admin.token : undefined
    admin = token
      ? {
          prefix: c.admin.path_prefix,
          app: new Hono().route(
            c.admin.path_prefix,
            createAdminApp(holder, { token, tokenForAll: true, basePath: c.admin.path_prefix, reloader, metrics: runtime.metrics, store: runtime.stores?.shared }),
          ),
        }
      : null
  }
  mountAdmin(config)

  let ready: Promise<void> | null = holder.current.ready
  let broken: string | null = null
  const readyPromise = ready.then(
    () => {
      ready = null
    },
    (err: unknown) => {
      broken = `${file}: ${(err as Error).message}`
      logger.error('invalid config', { problems: broken })
      throw new PorticoConfigError([], broken)
    },
  )
  // A caller that never awaits `ready` still gets the problem through fetch (503) and the log.
  readyPromise.catch(() => {})

  const remoteAddr = options.remoteAddr
  function answer(request: Request, env: unknown, ctx: ExecutionContextLike | undefined): Promise<Response> {
    if (admin !== null) {
      const path = new URL(request.url).pathname
      if (path === admin.prefix || path.startsWith(`${admin.prefix}/`)) return Promise.resolve(admin.app.fetch(request, env, ctx as never))
    }
    const info = requestInfoOf(request, env, ctx)
    if (remoteAddr !== undefined) info.remoteAddr = remoteAddr(request, env, ctx)
    return holder.current.fetch(request, info)
  }

  return {
    ready: readyPromise,
    fetch: function porticoFetch(request, env, ctx) {
      if (broken !== null) return Promise.resolve(invalid())
      if (ready !== null) return readyPromise.then(() => answer(request, env, ctx), invalid)
      return answer(request, env, ctx)
    },
    async reload(input) {
      const parsed = parsePorticoConfig(input, file, env)
      pending.push(parsed)
      // Through the reloader even when invalid: it logs the rejection and keeps the status.
      const status = await reloader.reload('api')
      if (!status.ok) throw new PorticoConfigError(parsed.ok ? [] : parsed.issues, status.error ?? 'config rejected')
      mountAdmin(holder.current.config)
      return status
    },
    async close() {
      holder.draining = true
      holder.current.close()
    },
  }
}
