/**
 * Header fields as the core handles them. `HeaderBag` is what every header policy needs; three
 * collections satisfy it: a WHATWG `Headers`, the `HeaderList` the core builds for upstream
 * requests, and `RawHeaders` over the plain record of Node's direct path. A policy cannot tell
 * which one it edits, so each rule is written once.
 * @module
 */

/** What header policies need from a field collection. Names are compared case-insensitively. */
export interface HeaderBag {
  get(name: string): string | null
  has(name: string): boolean
  set(name: string, value: string): void
  append(name: string, value: string): void
  delete(name: string): void
}

/** A response head on its way to the client: the status and mutable fields, whatever holds them. */
export interface ResponseHead {
  readonly status: number
  readonly headers: HeaderBag
}

/** Shared, precomputed pairs: read them, never mutate them. Header names are lower-case. */
export type HeaderPairs = ReadonlyArray<readonly [string, string]>

/** `ifAbsent`: only when the upstream did not send the field (a CSP of its own wins). */
export type HeaderEdit = readonly [name: string, value: string | null, ifAbsent?: boolean]

/**
 * Response-header edits from policies (RateLimit fields, CORS): a null value removes the field;
 * `vary` is merged, never replaced, so the upstream's `Vary: Accept-Encoding` survives.
 */
export function applyEdits(h: HeaderBag, edits: readonly HeaderEdit[]): void {
  for (const [k, v, ifAbsent] of edits) {
    if (ifAbsent === true && h.has(k)) continue
    if (v === null) h.delete(k)
    else if (k === 'vary') mergeVary(h, v)
    else h.set(k, v)
  }
}

/** Adds the names in `add` to the field's `Vary` list, skipping those already named. */
export function mergeVary(h: HeaderBag, add: string): void {
  const current = h.get('vary')
  if (current === null || current === '') {
    h.set('vary', add)
    return
  }
  const have = new Set(current.split(',').map((v) => v.trim().toLowerCase()))
  // RFC 9110 §12.5.5: `Vary: *` already covers every field.
  if (have.has('*')) return
  const extra = add.split(',').map((v) => v.trim()).filter((v) => v !== '' && !have.has(v.toLowerCase()))
  if (extra.length > 0) h.set('vary', `${current}, ${extra.join(', ')}`)
}

/**
 * The header fields of an upstream request while the core builds it: a flat array of lower-case
 * name, value, name, value… A WHATWG Headers validates every name and value on each `append`
 * and `set` and sorts on iteration; here the fields come from a request the runtime's parser
 * has already validated, or from the config, which the schema checks, and the forwarder
 * validates the whole list once more as it sends it (undici on Node, `fetch` elsewhere).
 * See docs/performance.md, "upstream request fields"; undici takes the flat array as is.
 */
export class HeaderList implements HeaderBag {
  /** name, value, name, value…; names lower-case. Read by forwarders; edit through the methods. */
  readonly flat: string[] = []

  append(name: string, value: string): void {
    this.flat.push(name.toLowerCase(), value)
  }

  /** Combined as Headers.get combines them (Fetch standard §5.2: `, `). */
  get(name: string): string | null {
    const key = name.toLowerCase()
    const f = this.flat
    let out: string | null = null
    for (let i = 0; i < f.length; i += 2) if (f[i] === key) out = out === null ? f[i + 1] : `${out}, ${f[i + 1]}`
    return out
  }

  has(name: string): boolean {
    const key = name.toLowerCase()
    const f = this.flat
    for (let i = 0; i < f.length; i += 2) if (f[i] === key) return true
    return false
  }

  /** Replaces the first field of that name in place and drops the others, or appends. */
  set(name: string, value: string): void {
    const key = name.toLowerCase()
    const f = this.flat
    let found = false
    for (let i = 0; i < f.length; i += 2) {
      if (f[i] !== key) continue
      if (!found) {
        f[i + 1] = value
        found = true
      } else {
        f.splice(i, 2)
        i -= 2
      }
    }
    if (!found) f.push(key, value)
  }

  delete(name: string): void {
    const key = name.toLowerCase()
    const f = this.flat
    for (let i = f.length - 2; i >= 0; i -= 2) if (f[i] === key) f.splice(i, 2)
  }

  forEach(fn: (value: string, name: string) => void): void {
    const f = this.flat
    for (let i = 0; i < f.length; i += 2) fn(f[i + 1], f[i])
  }

  /** [name, value] pairs: a HeadersInit for `fetch`, which validates them once. */
  pairs(): [string, string][] {
    const f = this.flat
    const out: [string, string][] = []
    for (let i = 0; i < f.length; i += 2) out.push([f[i], f[i + 1]])
    return out
  }
}

/** Node's response-head record: lower-case names, repeated fields (Set-Cookie) as arrays. */
export type RawRecord = Record<string, string | string[] | undefined>

/**
 * A `HeaderBag` over a raw record, edited in place, for the answer a forwarder writes itself
 * (Node's direct path). `get` joins repeated fields as Headers does; Set-Cookie stays a list
 * (RFC 6265 §3: its values cannot be joined with commas).
 */
export class RawHeaders implements HeaderBag {
  readonly raw: RawRecord

  constructor(raw: RawRecord) {
    this.raw = raw
  }

  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()]
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined
  }

  set(name: string, value: string): void {
    this.raw[name.toLowerCase()] = value
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase()
    const prior = this.raw[key]
    if (prior === undefined) this.raw[key] = key === 'set-cookie' ? [value] : value
    else if (Array.isArray(prior)) prior.push(value)
    else this.raw[key] = key === 'set-cookie' ? [prior, value] : `${prior}, ${value}`
  }

  delete(name: string): void {
    delete this.raw[name.toLowerCase()]
  }
}
