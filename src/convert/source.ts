/**
 * Reading another gateway's config for `portico convert`: typed lookups that record every key
 * they consume, so a key no converter reads is reported rather than dropped, and a value of the
 * wrong type becomes a note ("not converted") instead of a crash.
 * @module
 */
import { parse } from 'yaml'

/** Where a setting did not map (or mapped only approximately), and why. */
export interface ConvertNote {
  /** Path in the source config (`routes.0.rate_limit.burst`); '' for the file as a whole. */
  path: string
  message: string
  /** Path in the converted config the YAML comment goes above; absent: the file header. */
  at?: (string | number)[]
}

export interface ConvertResult {
  /** The Portico config, with a comment at every setting that did not map. */
  yaml: string
  notes: ConvertNote[]
}

/** Input that is not a config at all (YAML syntax, not a mapping): nothing can be converted. */
export class ConvertError extends Error {}

export type Out = Record<string, unknown>

/** A mapping of the source config, read key by key. */
export interface Section {
  readonly path: string
  str(key: string): string | undefined
  num(key: string): number | undefined
  /** A count of seconds or milliseconds as a Go-style duration; a negative one is a note. */
  duration(key: string, unit: 's' | 'ms'): string | undefined
  bool(key: string): boolean | undefined
  strList(key: string): string[] | undefined
  section(key: string): Section | undefined
  sections(key: string): Section[]
  /** Reports every key nobody read as `unknown` says, and returns nothing. */
  rest(unknown: string, at?: (string | number)[]): void
}

export interface Reading {
  root: Section
  notes: ConvertNote[]
  note(path: string, message: string, at?: (string | number)[]): void
}

const join = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`)

/** Parses the source text; throws ConvertError when it is not a YAML mapping. */
export function readSource(text: string, gateway: string): Reading {
  let raw: unknown
  try {
    raw = parse(text, { uniqueKeys: true, maxAliasCount: 100 })
  } catch (err) {
    throw new ConvertError(`not a ${gateway} config: YAML: ${(err as Error).message.split('\n')[0]!.replace(/:$/, '')}`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConvertError(`not a ${gateway} config: the top level must be a mapping of keys`)
  const notes: ConvertNote[] = []
  const note = (path: string, message: string, at?: (string | number)[]) => void notes.push(at === undefined ? { path, message } : { path, message, at })
  return { root: createSection(raw as Record<string, unknown>, '', note), notes, note }
}

function createSection(o: Record<string, unknown>, path: string, note: Reading['note']): Section {
  const read = new Set<string>()
  const take = (key: string): unknown => {
    read.add(key)
    // YAML `~`/`null` is how serde and Go write "not set": treat it as absent.
    return o[key] ?? undefined
  }
  const wrong = (key: string, want: string) => note(join(path, key), `expected ${want}; not converted`)
  const typed = <T>(key: string, want: string, ok: (v: unknown) => boolean): T | undefined => {
    const v = take(key)
    if (v === undefined) return undefined
    if (ok(v)) return v as T
    wrong(key, want)
    return undefined
  }
  const isMapping = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v)
  const num = (key: string) => typed<number>(key, 'a number', (v) => typeof v === 'number' && Number.isFinite(v))
  return {
    path,
    str: (key) => {
      const v = take(key)
      if (v === undefined || typeof v === 'string') return v
      // A YAML scalar such as `8080` or `true` where text belongs: keep it as its text.
      if (typeof v === 'number' || typeof v === 'boolean') return String(v)
      wrong(key, 'a string')
      return undefined
    },
    num,
    duration: (key, unit) => {
      const n = num(key)
      if (n === undefined || n >= 0) return n === undefined ? undefined : durationOf(n, unit)
      note(join(path, key), 'a negative duration; not converted')
      return undefined
    },
    bool: (key) => typed<boolean>(key, 'true or false', (v) => typeof v === 'boolean'),
    strList: (key) => typed<string[]>(key, 'a list of strings', (v) => Array.isArray(v) && v.every((s) => typeof s === 'string')),
    section: (key) => {
      const v = typed<Record<string, unknown>>(key, 'a mapping', isMapping)
      return v === undefined ? undefined : createSection(v, join(path, key), note)
    },
    sections: (key) => {
      const v = typed<unknown[]>(key, 'a list', Array.isArray)
      if (v === undefined) return []
      return v.flatMap((item, i) => {
        if (isMapping(item)) return [createSection(item as Record<string, unknown>, join(join(path, key), i), note)]
        note(join(join(path, key), i), 'expected a mapping; not converted')
        return []
      })
    },
    rest: (unknown, at) => {
      for (const key of Object.keys(o)) if (!read.has(key)) note(join(path, key), unknown, at)
    },
  }
}

/** A Go-style duration Portico reads, from a count of seconds or milliseconds (`5000` ms → `5s`). */
export function durationOf(n: number, unit: 's' | 'ms'): string {
  if (unit === 'ms' && n !== 0 && n % 1000 === 0) return `${n / 1000}s`
  return `${n}${unit}`
}

/** A route id Portico accepts, made from a path (`/api/users` → `api-users`), unique in `taken`. */
export function idFromPath(path: string, taken: Set<string>): string {
  const base = path.replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-+|-+$/g, '') || 'root'
  return uniqueId(base, taken)
}

export function uniqueId(base: string, taken: Set<string>): string {
  let id = base
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
  taken.add(id)
  return id
}

/** True for a URL Portico takes as a backend (absolute http(s), no query), or one built from `${VAR}`s at load time. */
export function isBackendUrl(url: string): boolean {
  if (url.includes('${')) return true
  if (!URL.canParse(url)) return false
  const u = new URL(url)
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.search === '' && u.hash === ''
}
