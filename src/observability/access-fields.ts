/**
 * What an access-log line holds: the default fields, or the subset `logging.access_log_fields`
 * names, plus the request headers `logging.access_log_headers` names (as `header_<name>`).
 * Credentials are never written: Authorization, Proxy-Authorization, Cookie, API-key headers
 * and anything that looks like a token or secret are logged as "[redacted]".
 * @module
 */

import { ACCESS_FIELDS } from '../config/types.ts'

const SENSITIVE = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$|token|secret|password|session/i

/** A header (or cookie, query parameter) whose value is never logged; `extra`: lower-case names. */
export function isSensitiveName(name: string, extra: ReadonlySet<string>): boolean {
  return SENSITIVE.test(name) || extra.has(name.toLowerCase())
}

export interface AccessShape {
  /** null: every default field. */
  fields: Set<string> | null
  headers: { name: string; key: string; redact: boolean }[]
}

export function createAccessShape(fields: string[] | undefined, headers: string[] | undefined, extraSensitive: string[] = []): AccessShape | null {
  if (fields === undefined && (headers === undefined || headers.length === 0)) return null
  const unknown = (fields ?? []).filter((f) => !(ACCESS_FIELDS as readonly string[]).includes(f))
  if (unknown.length > 0) throw new Error(`logging.access_log_fields: unknown field(s) ${unknown.join(', ')} (known: ${ACCESS_FIELDS.join(', ')})`)
  const extra = new Set(extraSensitive.map((h) => h.toLowerCase()))
  return {
    fields: fields === undefined ? null : new Set(fields),
    headers: (headers ?? []).map((h) => {
      const name = h.toLowerCase()
      return { name, key: `header_${name.replace(/-/g, '_')}`, redact: isSensitiveName(name, extra) }
    }),
  }
}

/** Applies the shape to a full record (only called when a shape is configured). */
export function shapeAccess(record: Record<string, unknown>, shape: AccessShape, headers: Headers): Record<string, unknown> {
  let out = record
  if (shape.fields !== null) {
    out = {}
    for (const k of shape.fields) out[k] = record[k]
  }
  for (const h of shape.headers) {
    const v = headers.get(h.name)
    out[h.key] = v === null ? null : h.redact ? '[redacted]' : v
  }
  return out
}
