/**
 * Response-header edits from policies (CORS, security headers, RateLimit fields), applied the
 * same way to a Web `Headers` and to the raw header record of Node's direct path. A null value
 * removes the field (the upstream's own CORS fields on a route whose CORS the gateway answers);
 * `vary` is merged, never replaced, so the upstream's `Vary: Accept-Encoding` survives.
 * Names are lower-case.
 * @module
 */

/** `ifAbsent`: only when the upstream did not send the field (a CSP of its own wins). */
export type HeaderEdit = readonly [name: string, value: string | null, ifAbsent?: boolean]

function mergedVary(current: string | null, add: string): string {
  if (current === null || current === '') return add
  const have = new Set(current.split(',').map((v) => v.trim().toLowerCase()))
  // RFC 9110 §12.5.5: `Vary: *` already covers every field.
  if (have.has('*')) return current
  const extra = add.split(',').map((v) => v.trim()).filter((v) => v !== '' && !have.has(v.toLowerCase()))
  return extra.length === 0 ? current : `${current}, ${extra.join(', ')}`
}

export function applyEdits(h: Headers, edits: readonly HeaderEdit[]): void {
  for (const [k, v, ifAbsent] of edits) {
    if (ifAbsent === true && h.has(k)) continue
    if (v === null) h.delete(k)
    else if (k === 'vary') h.set('vary', mergedVary(h.get('vary'), v))
    else h.set(k, v)
  }
}

export function applyEditsToRecord(raw: Record<string, string | string[] | undefined>, edits: readonly HeaderEdit[]): void {
  for (const [k, v, ifAbsent] of edits) {
    if (ifAbsent === true && raw[k] !== undefined) continue
    if (v === null) delete raw[k]
    else if (k === 'vary') {
      const cur = raw.vary
      raw.vary = mergedVary(cur === undefined ? null : Array.isArray(cur) ? cur.join(', ') : cur, v)
    } else raw[k] = v
  }
}
