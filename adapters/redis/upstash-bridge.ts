/**
 * A dev/test stand-in for Upstash's REST API in front of a real Redis, so `@upstash/redis` (and
 * Portico's `store: { type: upstash }`) can run end to end on a laptop or in CI without an
 * Upstash account. Not for production: plain HTTP, one token, one shared Redis connection.
 *
 * Wire format, as `@upstash/redis` 1.x speaks it (docs/upstash-bridge.md has the details):
 * - `POST /` with `["SET","k","v"]` → `{"result": …}`; `POST /pipeline` and `POST /multi-exec`
 *   with `[["SET","k","v"], …]` → `[{"result": …} | {"error": "…"}, …]`.
 * - `Upstash-Encoding: base64`: every string in the result (recursively in arrays) is the
 *   base64 of its bytes; integers and null stay as they are. Without it, strings are UTF-8.
 * - A failed command is HTTP 400 `{"error": "<the Redis error text>"}`; the client matches on
 *   that text (EVALSHA → EVAL falls back on "NOSCRIPT").
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis, ReplyError } from 'ioredis'

export interface UpstashBridgeOptions {
  /** `redis://[user:pass@]host:port[/db]` (or `rediss://`), as ioredis takes it. */
  redisUrl: string
  /** The bearer token clients must send (`UPSTASH_REDIS_REST_TOKEN`). */
  token: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: any free port (read it back from `url`). */
  port?: number
}

export interface UpstashBridge {
  /** `http://host:port`, the value for `UPSTASH_REDIS_REST_URL`. */
  url: string
  close(): Promise<void>
}

type Arg = string
type Reply = unknown

/** Upstash caps a request at a few MB; Redis's own bulk limit is 512 MB. 64 MiB is ample for tests. */
const MAX_BODY_BYTES = 64 * 1024 * 1024

const PUBSUB = 'pub/sub needs a long-lived connection, which this bridge does not offer (PUBLISH works)'
const BLOCKING = 'blocking commands would stall the one Redis connection every request shares'
const CONNECTION_STATE = 'it changes state of the Redis connection every request shares'

/** Commands that make no sense over stateless REST in front of one shared connection, and why. */
const REFUSED = new Map<string, string>([
  ...['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE'].map(
    (c) => [c, PUBSUB] as const,
  ),
  ...['BLPOP', 'BRPOP', 'BRPOPLPUSH', 'BLMOVE', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP', 'WAIT', 'WAITAOF'].map(
    (c) => [c, BLOCKING] as const,
  ),
  ...['MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH'].map(
    (c) => [c, 'transactions go through POST /multi-exec (the commands of one request run atomically)'] as const,
  ),
  ...['SELECT', 'AUTH', 'HELLO', 'RESET', 'QUIT', 'CLIENT', 'READONLY', 'READWRITE'].map(
    (c) => [c, CONNECTION_STATE] as const,
  ),
  ...['MONITOR', 'SYNC', 'PSYNC', 'REPLCONF'].map((c) => [c, 'it streams replies forever'] as const),
  ...['SHUTDOWN', 'DEBUG', 'FAILOVER', 'REPLICAOF', 'SLAVEOF', 'MODULE'].map(
    (c) => [c, 'administrative commands are not served over REST'] as const,
  ),
])

/** Why `args` (name already upper-cased) cannot run here, or null when it can. */
function refusal(name: string, args: Arg[]): string | null {
  const why = REFUSED.get(name)
  if (why !== undefined) return `ERR ${name} is not supported by the upstash bridge: ${why}`
  if (name === 'XREAD' || name === 'XREADGROUP') {
    // Only the options before STREAMS are options; keys and IDs come after it.
    for (const a of args) {
      const word = a.toUpperCase()
      if (word === 'STREAMS') break
      if (word === 'BLOCK') return `ERR ${name} … BLOCK is not supported by the upstash bridge: ${BLOCKING}`
    }
  }
  return null
}

interface Command {
  name: string
  args: Arg[]
}

/** A JSON command array → command, or the 400 message saying what is wrong with it. */
function toCommand(value: unknown): Command | string {
  if (!Array.isArray(value) || value.length === 0) return 'ERR a command is a non-empty JSON array, e.g. ["GET","key"]'
  const parts: string[] = []
  for (const v of value) {
    // @upstash/redis sends numbers and booleans as JSON numbers/booleans (its serializer keeps them).
    if (typeof v === 'string') parts.push(v)
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') parts.push(String(v))
    else return `ERR command arguments must be strings, numbers or booleans, got ${JSON.stringify(v) ?? typeof v}`
  }
  const [name, ...args] = parts
  if (name === '') return 'ERR empty command name'
  // Upper case on purpose: ioredis looks argument/reply transformers up by the exact command
  // name (lower case, e.g. hgetall → object), and we want Redis's raw reply, untouched.
  return { name: name.toUpperCase(), args }
}

function toCommands(value: unknown): Command[] | string {
  if (!Array.isArray(value) || value.length === 0) return 'ERR the body is a non-empty JSON array of commands, e.g. [["SET","k","v"],["GET","k"]]'
  const out: Command[] = []
  for (const [i, item] of value.entries()) {
    const c = toCommand(item)
    if (typeof c === 'string') return `ERR command ${i + 1}: ${c.replace(/^ERR /, '')}`
    out.push(c)
  }
  return out
}

/**
 * A Redis reply as Upstash renders it. ioredis (callBuffer) hands every string reply over as a
 * Buffer, status replies included, so "OK" is encoded like any value: the client's decoder
 * passes a bare top-level "OK" through and decodes "T0s=" to "OK" just as well.
 */
function render(reply: Reply, base64: boolean): unknown {
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8')
  if (Array.isArray(reply)) return reply.map((r) => render(r, base64))
  // An error nested in an array (a Lua table holding redis.error_reply): JSON has no error
  // value, so it becomes its message, a string like any other element.
  if (reply instanceof Error) return render(Buffer.from(reply.message), base64)
  // RESP2 big numbers/doubles never arrive as strings, but a string is still a string.
  if (typeof reply === 'string') return base64 ? Buffer.from(reply).toString('base64') : reply
  return reply ?? null // integers and nil
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** A Redis error reply (the client's fault, 400) as opposed to the connection failing (503). */
function isReplyError(err: unknown): boolean {
  return err instanceof ReplyError
}

interface Answer {
  status: number
  body: unknown
  headers?: Record<string, string>
}

function json(status: number, body: unknown, headers?: Record<string, string>): Answer {
  return { status, body, headers }
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent) return void res.end()
  const text = JSON.stringify(answer.body)
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...answer.headers,
  })
  res.end(text)
}

/** The whole body, or null when it passes the cap (the caller answers 413 and drops the socket). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      size += chunk.length
      chunks.push(chunk)
      // Answer at once; the 413 carries Connection: close, so the rest is never read.
      if (size > MAX_BODY_BYTES) {
        over = true
        chunks.length = 0
        resolve(null)
      }
    })
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function bearerDigest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

export async function createUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  if (!options.token) throw new Error('upstash bridge: token must not be empty')
  const host = options.host ?? '127.0.0.1'
  // Digests of equal length, so timingSafeEqual neither throws nor leaks the token's length.
  const expected = bearerDigest(options.token)
  const authorized = (header: string | undefined): boolean => {
    // RFC 9110 §11.1: the auth scheme is case-insensitive.
    const m = /^bearer[ \t]+(.*)$/i.exec(header ?? '')
    return timingSafeEqual(bearerDigest(m === null ? '' : m[1].trim()), expected) && m !== null
  }

  const redis = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    lazyConnect: false,
    // A command cut off by a dropped connection fails rather than being sent again: a resend
    // could apply an INCR twice or run the tail of a MULTI outside its transaction.
    autoResendUnfulfilledCommands: false,
  })
  let lastRedisError: string | null = null
  try {
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        redis.off('ready', settle)
        redis.off('error', settle)
        if (err === undefined) resolve()
        else reject(err)
      }
      redis.on('ready', settle)
      redis.on('error', settle)
    })
  } catch (err) {
    redis.disconnect()
    throw new Error(`upstash bridge: cannot reach Redis: ${errorText(err)}`)
  }
  // ioredis reconnects by itself; without a listener it would print every failure to stderr.
  redis.on('error', (err: Error) => {
    lastRedisError = err.message
  })
  redis.on('ready', () => {
    lastRedisError = null
  })

  const call = (c: Command): Promise<Reply> => redis.callBuffer(c.name, c.args) as Promise<Reply>

  async function single(body: unknown, base64: boolean): Promise<Answer> {
    const c = toCommand(body)
    if (typeof c === 'string') return json(400, { error: c })
    const refused = refusal(c.name, c.args)
    if (refused !== null) return json(400, { error: refused })
    try {
      return json(200, { result: render(await call(c), base64) })
    } catch (err) {
      return json(isReplyError(err) ? 400 : 503, { error: errorText(err) })
    }
  }

  async function pipeline(body: unknown, base64: boolean): Promise<Answer> {
    const commands = toCommands(body)
    if (typeof commands === 'string') return json(400, { error: commands })
    // All sent before any reply is awaited: one round trip to Redis, replies in order.
    const settled = await Promise.allSettled(
      commands.map((c) => {
        const refused = refusal(c.name, c.args)
        return refused === null ? call(c) : Promise.reject(new Error(refused))
      }),
    )
    return json(
      200,
      settled.map((s) => (s.status === 'fulfilled' ? { result: render(s.value, base64) } : { error: errorText(s.reason) })),
    )
  }

  async function transaction(body: unknown, base64: boolean): Promise<Answer> {
    const commands = toCommands(body)
    if (typeof commands === 'string') return json(400, { error: commands })
    for (const [i, c] of commands.entries()) {
      const refused = refusal(c.name, c.args)
      if (refused !== null) return json(400, { error: `EXECABORT Transaction discarded: command ${i + 1}: ${refused}` })
    }
    // MULTI … EXEC are queued on the shared connection in one synchronous run, so no other
    // request's command can land between them (ioredis writes in call order).
    const steps = await Promise.allSettled([
      call({ name: 'MULTI', args: [] }),
      ...commands.map(call),
      call({ name: 'EXEC', args: [] }),
    ])
    const exec = steps[steps.length - 1]
    if (exec.status === 'rejected') {
      // EXECABORT alone does not say which command was rejected while queueing; add it.
      const i = steps.findIndex((s, n) => n > 0 && n < steps.length - 1 && s.status === 'rejected')
      const first = i === -1 ? '' : ` (command ${i}: ${errorText((steps[i] as PromiseRejectedResult).reason)})`
      return json(isReplyError(exec.reason) ? 400 : 503, { error: `${errorText(exec.reason)}${first}` })
    }
    // EXEC answers nil only when a WATCHed key changed, and WATCH is refused; never expected.
    if (!Array.isArray(exec.value)) return json(400, { error: 'EXECABORT Transaction discarded' })
    return json(
      200,
      exec.value.map((r) => (r instanceof Error ? { error: r.message } : { result: render(r, base64) })),
    )
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/(.)\/+$/, '$1')
    if (req.method === 'GET' && path === '/') {
      req.resume()
      return send(res, json(200, { status: 'ok', redis: redis.status, redisError: lastRedisError }))
    }
    if (req.method !== 'POST') {
      req.resume()
      return send(res, json(405, { error: 'method not allowed: send commands with POST' }, { allow: 'POST' }))
    }
    if (!authorized(req.headers.authorization)) {
      req.resume()
      return send(res, json(401, { error: 'Unauthorized' }))
    }
    if (path.startsWith('/subscribe/') || path.startsWith('/psubscribe/')) {
      req.resume()
      return send(res, json(400, { error: `ERR SUBSCRIBE is not supported by the upstash bridge: ${PUBSUB}` }))
    }
    const route = path === '/' ? single : path === '/pipeline' ? pipeline : path === '/multi-exec' ? transaction : null
    if (route === null) {
      req.resume()
      return send(res, json(404, { error: `ERR unknown endpoint ${path}: use POST /, /pipeline or /multi-exec` }))
    }
    const raw = await readBody(req)
    if (raw === null) {
      send(res, json(413, { error: `ERR request body over ${MAX_BODY_BYTES} bytes` }, { connection: 'close' }))
      return
    }
    let body: unknown
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch (err) {
      return send(res, json(400, { error: `ERR the body is not valid JSON: ${errorText(err)}` }))
    }
    // Upstash-Sync-Token and Upstash-Telemetry-* headers need nothing here: one Redis is
    // trivially read-your-writes, and telemetry is not collected.
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64'
    send(res, await route(body, base64))
  }

  const server = createServer(function upstashBridge(req, res) {
    handle(req, res).catch((err) => {
      if (!res.headersSent && !res.destroyed) send(res, json(500, { error: `upstash bridge: ${errorText(err)}` }))
      else res.destroy()
    })
  })
  // Clients pool connections (undici keeps them ~4 s by default); outlive that so a reused socket
  // is not closed under a request that is already on its way.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    redis.disconnect()
    throw new Error(`upstash bridge: cannot listen on ${host}:${options.port ?? 0}: ${errorText(err)}`)
  }
  const { port } = server.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  let closing: Promise<void> | null = null
  return {
    url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          // close() ends idle keep-alive sockets; give in-flight requests a moment, then cut them.
          const force = setTimeout(() => server.closeAllConnections(), 2_000)
          force.unref()
          server.close(() => {
            clearTimeout(force)
            resolve()
          })
          server.closeIdleConnections()
        })
        await redis.quit().catch(() => redis.disconnect())
      })()
      return closing
    },
  }
}
