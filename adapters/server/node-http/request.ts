/**
 * The core's view of a node:http request, without a WHATWG Request: `method`, `url`,
 * `headers`, `body`, `signal` and the body readers, each built only when read. A proxied GET
 * reads headers and the URL and never the body or the signal, so on the hot path none of
 * WHATWG Headers' per-field validation, Request construction or AbortController happens —
 * Node's parser has already validated every field (llhttp rejects CR, LF and NUL in values and
 * non-token names), and the Headers built from them cost ~4 µs per request here
 * (docs/performance.md).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Read-only Headers over `IncomingMessage.headers`, Node's lower-cased record. Duplicates are
 * combined as Node combines them (RFC 9110 §5.3 with `, `, Cookie with `; `, and single-valued
 * fields such as Host and Authorization keep their first value); iteration is in arrival order,
 * not sorted. Mutation throws, like the Fetch standard's "request" guard on a received request.
 */
export class NodeHeaders {
  readonly #fields: Record<string, string | string[] | undefined>

  constructor(incoming: IncomingMessage) {
    this.#fields = incoming.headers
  }

  get(name: string): string | null {
    const key = name.toLowerCase()
    if (!Object.hasOwn(this.#fields, key)) return null
    const v = this.#fields[key]
    return v === undefined ? null : typeof v === 'string' ? v : v.join(', ')
  }

  has(name: string): boolean {
    const key = name.toLowerCase()
    return Object.hasOwn(this.#fields, key) && this.#fields[key] !== undefined
  }

  getSetCookie(): string[] {
    const v = this.#fields['set-cookie']
    return v === undefined ? [] : Array.isArray(v) ? [...v] : [v]
  }

  forEach(fn: (value: string, name: string, parent: NodeHeaders) => void, thisArg?: unknown): void {
    const fields = this.#fields
    for (const name in fields) {
      const v = fields[name]
      if (typeof v === 'string') fn.call(thisArg, v, name, this)
      else if (v !== undefined) for (const item of v) fn.call(thisArg, item, name, this)
    }
  }

  *entries(): IterableIterator<[string, string]> {
    const fields = this.#fields
    for (const name in fields) {
      const v = fields[name]
      if (typeof v === 'string') yield [name, v]
      else if (v !== undefined) for (const item of v) yield [name, item]
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()
  }

  set(): never {
    throw immutable()
  }

  append(): never {
    throw immutable()
  }

  delete(): never {
    throw immutable()
  }
}

function immutable(): TypeError {
  return new TypeError('the headers of a received request are immutable; copy them into new Headers')
}

/** The client's body as a Web stream (streams.ts). */
export type ToWeb = (incoming: IncomingMessage) => ReadableStream<Uint8Array>

export class NodeRequest {
  readonly method: string
  readonly url: string
  readonly incoming: IncomingMessage
  readonly #outgoing: ServerResponse
  readonly #toWeb: ToWeb
  #headers: NodeHeaders | undefined
  #body: ReadableStream<Uint8Array> | null | undefined
  #signal: AbortSignal | undefined
  #used = false

  /** `url` is absolute: scheme and Host from the connection, then the origin-form target. */
  constructor(incoming: IncomingMessage, outgoing: ServerResponse, url: string, toWeb: ToWeb) {
    this.method = incoming.method ?? 'GET'
    this.url = url
    this.incoming = incoming
    this.#outgoing = outgoing
    this.#toWeb = toWeb
  }

  get headers(): NodeHeaders {
    if (this.#headers === undefined) this.#headers = new NodeHeaders(this.incoming)
    return this.#headers
  }

  /** null for GET and HEAD (Fetch: they cannot have a body); else the client's body, once. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#body === undefined) {
      this.#body = this.method === 'GET' || this.method === 'HEAD' ? null : this.#toWeb(this.incoming)
    }
    return this.#body
  }

  get bodyUsed(): boolean {
    return this.#used
  }

  /** Aborts when the client goes away before its response is complete. */
  get signal(): AbortSignal {
    if (this.#signal === undefined) {
      const ac = new AbortController()
      const out = this.#outgoing
      if (out.closed && !out.writableFinished) ac.abort()
      else out.once('close', () => out.writableFinished || ac.abort())
      this.#signal = ac.signal
    }
    return this.#signal
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const body = this.body
    this.#used = true
    if (body === null) return new ArrayBuffer(0)
    const chunks: Uint8Array[] = []
    let size = 0
    const reader = body.getReader()
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks.push(next.value)
      size += next.value.byteLength
    }
    const out = new Uint8Array(size)
    let at = 0
    for (const c of chunks) {
      out.set(c, at)
      at += c.byteLength
    }
    return out.buffer
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer())
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }
}
