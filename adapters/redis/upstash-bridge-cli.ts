/**
 * `portico upstash-bridge`: runs the Upstash REST bridge (upstash-bridge.ts) in the foreground,
 * prints one JSON ready line plus the env assignments a client needs, stops on SIGINT/SIGTERM.
 * @module
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { redactConfig } from '../../src/config/redact.ts'
import { createUpstashBridge } from './upstash-bridge.ts'

const USAGE = `Usage: portico upstash-bridge [--redis URL] [--host H] [--port N] [--token T]

Dev/test tool, not for production: serves the Upstash REST API (what @upstash/redis speaks)
in front of a real Redis. No TLS, one token.

  --redis URL   Redis to serve (default redis://127.0.0.1:6379)
  --host H      address to listen on (default 127.0.0.1)
  --port N      port to listen on (default 8079; 0 = any free port)
  --token T     bearer token clients must send (default $UPSTASH_BRIDGE_TOKEN, else a random one)`

/** Quoted only when needed, so the env line can be pasted into a POSIX shell as it is. */
function shellWord(s: string): string {
  return /^[\w.~:/@%+=,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`
}

function usageError(message: string): void {
  process.stderr.write(`${message}\n${USAGE}\n`)
  process.exitCode = 2
}

export async function runUpstashBridgeCli(argv: string[]): Promise<void> {
  let values: { redis?: string; host?: string; port?: string; token?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8079' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }))
  } catch (err) {
    return usageError((err as Error).message)
  }
  if (values.help) return void console.log(USAGE)
  const port = Number(values.port)
  if (!/^\d+$/.test(values.port ?? '') || port > 65535) return usageError(`--port must be 0-65535, got "${values.port}"`)
  const token = values.token || process.env.UPSTASH_BRIDGE_TOKEN || randomBytes(24).toString('base64url')

  const bridge = await createUpstashBridge({ redisUrl: values.redis!, token, host: values.host, port })

  // Handlers first: a signal sent the moment the ready line is read must find them installed.
  let stopping = false
  const stop = () => {
    if (stopping) process.exit(1) // a second signal forces the exit
    stopping = true
    bridge.close().then(
      () => {
        // Nothing should be left holding the loop open; if something is, do not hang.
        setTimeout(() => process.exit(0), 5_000).unref()
      },
      () => process.exit(1),
    )
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, stop)

  console.log(JSON.stringify({ msg: 'upstash bridge ready', url: bridge.url, redis: redactConfig(values.redis) }))
  console.log(`UPSTASH_REDIS_REST_URL=${shellWord(bridge.url)} UPSTASH_REDIS_REST_TOKEN=${shellWord(token)}`)
}
