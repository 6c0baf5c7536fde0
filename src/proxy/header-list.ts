/**
 * The header fields of an upstream request while the core builds it: a flat array of lower-case
 * name, value, name, value… A WHATWG Headers validates every name and value on each `append`
 * and `set` (webidl ByteString, token checks) and sorts on iteration; here the fields come from
 * a request the runtime's parser has already validated, or from the config, which the schema
 * checks, and the forwarder validates the whole list once more as it sends it (undici's request
 * checks on Node, `fetch` elsewhere). Building the list this way costs a fraction of a Headers
 * (docs/performance.md); undici takes the flat array as is.
 * @module
 */

/** What header policies need from a field collection: Headers and HeaderList both satisfy it. */
export interface HeaderBag {
  get(name: string): string | null
  has(name: string): boolean
  set(name: string, value: string): void
  append(name: string, value: string): void
  delete(name: string): void
}

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
