/**
 * The Upstash REST bridge against a real redis-server, driven by the official @upstash/redis
 * client (default settings — auto-pipelining, so most commands travel as POST /pipeline — and
 * with auto-pipelining off, so they travel as POST /), plus raw fetches for the wire details.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis as IORedis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createUpstashBridge, type UpstashBridge } from '../../adapters/redis/upstash-bridge.ts'
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts'

const TOKEN = 'test-token-0123456789'
const root = resolve(import.meta.dirname, '../..')

let server: RedisServer
let bridge: UpstashBridge
let direct: IORedis

beforeAll(async () => {
  server = await startRedisServer()
  bridge = await createUpstashBridge({ redisUrl: server.url, token: TOKEN })
  direct = new IORedis(server.url, { maxRetriesPerRequest: 1 })
}, 30_000)

afterAll(async () => {
  await direct?.quit()
  await bridge?.close()
  await server?.stop()
})

function client(options: { automaticDeserialization?: boolean; enableAutoPipelining?: boolean } = {}) {
  return new UpstashRedis({ url: bridge.url, token: TOKEN, enableTelemetry: false, ...options })
}

/** One raw request, as the client would send it; answers status and parsed JSON body. */
async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${bridge.url}${path}`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
  })
  expect(res.headers.get('content-type')).toBe('application/json')
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] }
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex')

const modes = [
  { name: 'default client (auto-pipelined, JSON deserialization)', options: {} },
  { name: 'one request per command, no deserialization', options: { enableAutoPipelining: false, automaticDeserialization: false } },
]

describe.each(modes)('$name', ({ name, options }) => {
  let redis: UpstashRedis
  beforeAll(() => {
    redis = client(options) // the bridge's URL is known only once the top-level beforeAll ran
  })
  const raw = options.automaticDeserialization === false
  const k = (key: string) => `${name.slice(0, 7)}:${key}`

  test('SET with a PX expiry is readable until the TTL runs out, then gone', async () => {
    expect(await redis.set(k('ttl'), 'soon gone', { px: 300 })).toBe('OK')
    expect(await redis.get(k('ttl'))).toBe('soon gone')
    const pttl = await redis.pttl(k('ttl'))
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(300)
    await new Promise((r) => setTimeout(r, 400))
    expect(await redis.get(k('ttl'))).toBeNull()
  })

  test('INCR counts and returns integers, not strings', async () => {
    expect(await redis.incr(k('n'))).toBe(1)
    expect(await redis.incrby(k('n'), 41)).toBe(42)
    expect(await redis.get(k('n'))).toBe(raw ? '42' : 42)
  })

  test('unicode and control characters round-trip unchanged', async () => {
    const value = 'héllo 🌍 日本語 \u0000\u0001\u007f "quoted" \\ OK'
    await redis.set(k('uni'), value)
    expect(await redis.get(k('uni'))).toBe(value)
    // What reached Redis is the UTF-8 of the string, byte for byte.
    expect(await direct.getBuffer(k('uni'))).toEqual(Buffer.from(value, 'utf8'))
  })

  test('a stored value that is literally "OK" or numeric-looking keeps its bytes', async () => {
    await redis.set(k('ok'), 'OK')
    await redis.set(k('zeros'), '007')
    expect(await redis.get(k('ok'))).toBe('OK')
    expect(await redis.get(k('zeros'))).toBe('007')
  })

  test('hashes and lists come back as the client expects', async () => {
    await redis.hset(k('h'), { a: 'x', b: 'y' })
    // Without deserialization the client hands HGETALL's flat field/value list over as it came.
    expect(await redis.hgetall(k('h'))).toEqual(raw ? ['a', 'x', 'b', 'y'] : { a: 'x', b: 'y' })
    await redis.rpush(k('l'), 'one', 'two', 'three')
    expect(await redis.lrange(k('l'), 0, -1)).toEqual(['one', 'two', 'three'])
  })

  test('a pipeline returns one result per command, and a failed command fails only itself', async () => {
    const results = await redis.pipeline().set(k('p'), 1).incr(k('p')).get(k('p')).exec()
    expect(results).toEqual(['OK', 2, raw ? '2' : 2])

    await redis.set(k('text'), 'not a number')
    const kept = await redis.pipeline().incr(k('text')).incr(k('p')).exec({ keepErrors: true })
    expect(kept[0].error).toMatch(/not an integer/)
    expect(kept[1]).toEqual({ error: undefined, result: 3 })
    await expect(redis.pipeline().incr(k('text')).exec()).rejects.toThrow(/Command 1 \[ incr \] failed: ERR value is not an integer/)
  })

  test('a MULTI transaction applies all its commands and returns their results', async () => {
    const results = await redis.multi().set(k('t'), 10).incr(k('t')).get(k('t')).exec()
    expect(results).toEqual(['OK', 11, raw ? '11' : 11])
  })

  test('EVAL runs with KEYS and ARGV; EVALSHA runs a script loaded with SCRIPT LOAD', async () => {
    const script = 'return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}'
    expect(await redis.eval(script, [k('key')], ['arg', '41'])).toEqual([k('key'), 'arg', 42])
    const sha = await redis.scriptLoad(script)
    expect(sha).toBe(sha1(script))
    expect(await redis.evalsha(sha, [k('key')], ['arg', '1'])).toEqual([k('key'), 'arg', 2])
  })

  test('EVALSHA of an unknown script fails with the NOSCRIPT text the client falls back on', async () => {
    await expect(redis.evalsha('f'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/)
  })

  test('createScript falls back from EVALSHA to EVAL, after which the script is cached', async () => {
    const body = `return 'script:' .. ARGV[1] -- ${name}`
    await redis.scriptFlush()
    expect(await redis.scriptExists(sha1(body))).toEqual([0])
    const script = redis.createScript<string>(body)
    expect(await script.exec([], ['first'])).toBe('script:first')
    // Only the EVAL fallback sends the body; after it, Redis knows the SHA.
    expect(await redis.scriptExists(sha1(body))).toEqual([1])
    expect(await script.exec([], ['second'])).toBe('script:second')
  })

  test('a refused command (SUBSCRIBE) fails with a message saying why', async () => {
    await expect(redis.exec(['SUBSCRIBE', 'news'])).rejects.toThrow(/SUBSCRIBE is not supported by the upstash bridge/)
  })
})

describe('wire format', () => {
  test('with Upstash-Encoding: base64, binary values come back byte for byte', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    await direct.set('bin', bytes)
    const { status, body } = await post('/', '["GET","bin"]', { 'upstash-encoding': 'base64' })
    expect(status).toBe(200)
    expect(Buffer.from(body.result as string, 'base64')).toEqual(bytes)
  })

  test('strings are base64 recursively in arrays; integers and nil are not encoded', async () => {
    await direct.del('list')
    await direct.rpush('list', 'a', 'bé')
    const script = "return {1, 'x', {2, 'y'}, false}"
    const { body } = await post('/pipeline', JSON.stringify([['LRANGE', 'list', 0, -1], ['EVAL', script, 0], ['GET', 'missing']]), {
      'upstash-encoding': 'base64',
    })
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    expect(body).toEqual([{ result: [b64('a'), b64('bé')] }, { result: [1, b64('x'), [2, b64('y')], null] }, { result: null }])
  })

  test('without the encoding header, strings are plain UTF-8', async () => {
    const { body } = await post('/', JSON.stringify(['SET', 'plain', 'héllo', 'PX', 60_000]))
    expect(body).toEqual({ result: 'OK' })
    expect((await post('/', '["GET","plain"]')).body).toEqual({ result: 'héllo' })
  })

  test('a Redis error is HTTP 400 with the error text; the client shows that text', async () => {
    const res = await post('/', '["EVALSHA","0000000000000000000000000000000000000000","0"]')
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'NOSCRIPT No matching script. Please use EVAL.' })
    const redis = client({ enableAutoPipelining: false })
    await expect(redis.exec(['INCR', 'plain'])).rejects.toThrow(/ERR value is not an integer/)
  })

  test('a transaction with a command Redis rejects while queueing runs nothing and names the command', async () => {
    await direct.del('tx')
    const res = await post('/multi-exec', '[["SET","tx","1"],["SET","tx"]]')
    expect(res.status).toBe(400)
    expect(res.body.error).toMatch(/^EXECABORT .*command 2: ERR wrong number of arguments/)
    expect(await direct.get('tx')).toBeNull()
  })

  test('a transaction keeps going past a runtime error and reports it in place', async () => {
    await direct.set('tx-text', 'abc')
    const res = await post('/multi-exec', '[["INCR","tx-text"],["SET","tx2","ok"],["GET","tx2"]]')
    expect(res.status).toBe(200)
    expect(res.body).toEqual([{ error: 'ERR value is not an integer or out of range' }, { result: 'OK' }, { result: 'ok' }])
  })

  test('a wrong token is 401 and the client throws', async () => {
    const res = await fetch(bridge.url, { method: 'POST', body: '["PING"]', headers: { authorization: 'Bearer wrong' } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'Unauthorized' })
    expect((await fetch(bridge.url, { method: 'POST', body: '["PING"]' })).status).toBe(401)
    const intruder = new UpstashRedis({ url: bridge.url, token: 'wrong', enableTelemetry: false })
    await expect(intruder.get('bin')).rejects.toThrow(/Unauthorized/)
  })

  test.each([
    ['not JSON', '/', '{"SET":'],
    ['an object', '/', '{"cmd":"GET"}'],
    ['an empty command', '/', '[]'],
    ['a nested array as an argument', '/', '["SET","k",["v"]]'],
    ['null as an argument', '/', '["SET","k",null]'],
    ['a pipeline that is not a list of commands', '/pipeline', '["GET","k"]'],
    ['an empty pipeline', '/pipeline', '[]'],
  ])('%s is a 400 with a JSON error, and the bridge keeps serving', async (_what, path, body) => {
    const res = await post(path, body)
    expect(res.status).toBe(400)
    expect(typeof res.body.error).toBe('string')
    expect((await post('/', '["PING"]')).body).toEqual({ result: 'PONG' })
  })

  test.each([
    ['SUBSCRIBE', '["SUBSCRIBE","ch"]'],
    ['BLPOP', '["BLPOP","q","0"]'],
    ['XREAD … BLOCK', '["XREAD","BLOCK","0","STREAMS","s","$"]'],
    ['MULTI', '["MULTI"]'],
    ['SELECT', '["SELECT","1"]'],
    ['MONITOR', '["MONITOR"]'],
    ['SHUTDOWN', '["shutdown","NOSAVE"]'],
  ])('%s is refused with a 400 that says why', async (command, body) => {
    const res = await post('/', body)
    expect(res.status).toBe(400)
    expect(res.body.error).toMatch(new RegExp(`^ERR ${command.split(' ')[0]}.* is not supported by the upstash bridge: `))
  })

  test('a refused command inside a pipeline fails only its own slot; inside a transaction it aborts it', async () => {
    const piped = await post('/pipeline', '[["BRPOP","q","1"],["PING"]]')
    expect(piped.body[0]).toEqual({ error: expect.stringMatching(/BRPOP is not supported/) })
    expect(piped.body[1]).toEqual({ result: 'PONG' })
    await direct.del('never')
    const tx = await post('/multi-exec', '[["SET","never","1"],["WATCH","x"]]')
    expect(tx.status).toBe(400)
    expect(tx.body.error).toMatch(/^EXECABORT .*command 2: ERR WATCH is not supported/)
    expect(await direct.get('never')).toBeNull()
  })

  test('the client’s subscribe reports the refusal on its error listener', async () => {
    const redis = client()
    const sub = redis.subscribe(['news'])
    const error = await new Promise<Error>((resolve) => sub.on('error', resolve))
    expect(error.message).toMatch(/SUBSCRIBE is not supported/)
    await sub.unsubscribe()
  })

  test('telemetry, sync-token and other client headers are tolerated', async () => {
    const redis = new UpstashRedis({ url: bridge.url, token: TOKEN, enableTelemetry: true, readYourWrites: true })
    await redis.set('hdr', 'v')
    expect(await redis.get('hdr')).toBe('v')
  })

  test('GET / is a health check; other methods and paths are refused', async () => {
    const health = await fetch(bridge.url)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', redis: 'ready' })
    const put = await fetch(bridge.url, { method: 'PUT', body: '["PING"]', headers: { authorization: `Bearer ${TOKEN}` } })
    expect(put.status).toBe(405)
    expect(await put.json()).toEqual({ error: expect.any(String) })
    expect((await post('/set/foo/bar', '')).status).toBe(404)
  })

  test('many concurrent transactions never interleave', async () => {
    await direct.del('atomic')
    const runs = await Promise.all(
      Array.from({ length: 50 }, () => post('/multi-exec', '[["INCR","atomic"],["INCR","atomic"]]')),
    )
    // Inside one transaction the second INCR always sees the first one's value.
    for (const { body } of runs) expect((body[1] as { result: number }).result).toBe((body[0] as { result: number }).result + 1)
    expect(await direct.get('atomic')).toBe('100')
  })
})

describe('portico upstash-bridge (CLI)', () => {
  let child: ChildProcess | undefined

  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL')
  })

  test('prints a ready line and the env to use, serves the client, stops on SIGTERM', async () => {
    child = spawn(
      resolve(root, 'node_modules/.bin/node'),
      [resolve(root, 'bin/portico.js'), 'upstash-bridge', '--redis', server.url, '--port', '0', '--token', 't'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
    const next = async () => {
      const line = await lines.next()
      if (line.done) throw new Error(`bridge exited before printing:\n${stderr}`)
      return line.value
    }
    const ready = JSON.parse(await next()) as { msg: string; url: string; redis: string }
    expect(ready).toMatchObject({ msg: 'upstash bridge ready', redis: server.url })
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await next()).toBe(`UPSTASH_REDIS_REST_URL=${ready.url} UPSTASH_REDIS_REST_TOKEN=t`)

    const redis = new UpstashRedis({ url: ready.url, token: 't', enableTelemetry: false })
    expect(await redis.set('cli', 'from the cli')).toBe('OK')
    expect(await direct.get('cli')).toBe('from the cli')

    const exited = new Promise<number | null>((done) => child!.once('exit', (code) => done(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 30_000)
})
