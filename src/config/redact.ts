/** A copy of the config safe to show (admin `/config`): secret-bearing values replaced. */

const SECRET_KEYS = new Set(['token', 'secret', 'password', 'password_hash', 'client_secret', 'key', 'private_key', 'api_key'])
const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|.*token.*|.*secret.*)$/i

export function redactConfig(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => redactConfig(v, key))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    const inHeaders = key === 'add' || key === 'set'
    for (const [k, v] of Object.entries(value)) {
      out[k] = (SECRET_KEYS.has(k) || (inHeaders && SECRET_HEADERS.test(k))) && v !== '' && v !== undefined ? '[redacted]' : redactConfig(v, k)
    }
    return out
  }
  return value
}
