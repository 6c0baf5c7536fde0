/**
 * Config from Workers KV (`cloudflare.config_kv_key`): `portico push-config` (or PUT /config on
 * the admin mount) validates a config and stores `{version, text}` as ONE KV value, so a reader
 * never sees a new version with an old text (KV is eventually consistent per key, not across
 * keys). Each isolate re-reads the value at most every `config_check_interval` (default 30 s)
 * and switches when the version changed; an invalid value is refused and the old one serves on.
 * The bundled/PORTICO_CONFIG config is the base: it names the key and serves until KV has one.
 * @module
 */
import { formatIssues } from '../../src/config/issues.ts'
import { parseConfig } from '../../src/config/load.ts'
import type { KVNamespace } from './workers-api.ts'

export interface KvConfigSource {
  /** The text to serve now: the KV config when present and valid, else null (use the base). */
  current(now: number): Promise<string | null>
  /** Validates and stores a config (admin PUT /config, portico push-config). */
  push(text: string): Promise<{ ok: true; version: string } | { ok: false; error: string }>
}

interface Stored {
  version: string
  text: string
}

async function versionOf(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(d)].slice(0, 12).map((b) => b.toString(16).padStart(2, '0')).join('')
}

export function createKvConfigSource(kv: KVNamespace, key: string, intervalMs: number, env: Record<string, string | undefined>): KvConfigSource {
  let version: string | null = null
  let text: string | null = null
  let checkedAt = Number.NEGATIVE_INFINITY
  let inflight: Promise<string | null> | null = null

  async function refresh(now: number): Promise<string | null> {
    checkedAt = now
    const raw = await kv.get(key).catch(() => null)
    if (raw === null) return text
    let stored: Stored
    try {
      stored = JSON.parse(raw) as Stored
    } catch {
      return text
    }
    if (stored.version === version) return text
    const parsed = parseConfig(stored.text, `kv:${key}`, { env })
    if (!parsed.ok) {
      console.log(JSON.stringify({ level: 'error', msg: 'config in KV rejected; the running config is kept', key, error: formatIssues(parsed.issues) }))
      version = stored.version // do not re-parse the same bad value on every check
      return text
    }
    version = stored.version
    text = stored.text
    console.log(JSON.stringify({ level: 'info', msg: 'config loaded from KV', key, version }))
    return text
  }

  return {
    current(now) {
      if (now - checkedAt < intervalMs) return Promise.resolve(text)
      inflight ??= refresh(now).finally(() => {
        inflight = null
      })
      return inflight
    },
    async push(next) {
      const parsed = parseConfig(next, 'pushed config', { env })
      if (!parsed.ok) return { ok: false, error: formatIssues(parsed.issues) }
      const v = await versionOf(next)
      await kv.put(key, JSON.stringify({ version: v, text: next } satisfies Stored))
      checkedAt = Number.NEGATIVE_INFINITY // this isolate picks it up on its next request
      return { ok: true, version: v }
    },
  }
}
