/**
 * A copy of the config safe to show (admin `/config`): secret-bearing values replaced by
 * "[redacted]". Expansion has already put real secrets into the values, so this runs on
 * every copy that leaves the process.
 * @module
 */

const REDACTED = '[redacted]'
const SECRET_KEYS = new Set(['token', 'secret', 'password', 'password_hash', 'client_secret', 'private_key', 'api_key'])
/** Header names whose values are credentials (in transform add/set and tracing headers). */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|.*token.*|.*secret.*|.*password.*)$/i
/** A value that carries its own credential scheme, whatever header it sits under. */
const CREDENTIAL_VALUE = /^(bearer|basic|digest)\s+\S/i
/** `scheme://user:pass@host`: the userinfo is replaced, the rest stays readable. */
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i
const HEADER_MAPS = new Set(['add', 'set', 'headers'])

function redactString(s: string): string {
  return URL_USERINFO.test(s) ? s.replace(URL_USERINFO, `$1${REDACTED}@`) : s
}

function secretEntry(k: string, v: unknown, parent: string): boolean {
  // YAML reads `password: 12345` as a number: it is just as secret.
  if (SECRET_KEYS.has(k) && typeof v === 'number') return true
  if (typeof v !== 'string' || v === '') return false
  if (SECRET_KEYS.has(k)) return true
  // api_key.keys[].key is a credential; consistent_hash.key or rate_limit.key are not.
  if (k === 'key' && parent === 'keys') return true
  return HEADER_MAPS.has(parent) && (SECRET_HEADER.test(k) || CREDENTIAL_VALUE.test(v))
}

/** Deep copy; `parent` is the key holding `value` (arrays pass their own key down). */
export function redactConfig(value: unknown, parent = ''): unknown {
  if (typeof value === 'string') return redactString(value)
  if (Array.isArray(value)) return value.map((v) => redactConfig(v, parent))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = secretEntry(k, v, parent) ? REDACTED : redactConfig(v, k)
    return out
  }
  return value
}
