/**
 * `portico --validate --compat`: which Runway features a config file uses, and for each
 * whether Portico has it active, accepted but not active, or missing (runway-features.ts).
 * It reads the YAML as written, before validation, so a file that does not validate (a
 * missing feature is an error) still gets its whole report.
 * @module
 */
import { parse } from 'yaml'
import { type FeatureStatus, RUNWAY_PARTS, RUNWAY_ROUTE_KEYS, RUNWAY_SUBKEYS, RUNWAY_TOP_KEYS } from './runway-features.ts'
import { configShape, routeShape } from './schema.ts'

/** `portico`: a Portico key Runway does not have; `unknown`: neither (a typo, reported by validation). */
export type CompatStatus = FeatureStatus | 'portico' | 'unknown'

export interface CompatEntry {
  /** `registry`, `routes[].cache`, `traffic_shaping.throttle`, `listeners[].tcp`, … */
  feature: string
  status: CompatStatus
  /** Where it is used: route ids (or `#index`), listener / upstream names; empty at the top level. */
  where: string[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const PORTICO_TOP = new Set(Object.keys(configShape.shape))
const PORTICO_ROUTE = new Set(Object.keys(routeShape.shape))

function statusOf(key: string, table: Readonly<Record<string, FeatureStatus>>, portico: ReadonlySet<string>): CompatStatus {
  return table[key] ?? (portico.has(key) ? 'portico' : 'unknown')
}

function at(o: Obj, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), o)
}

class Report {
  readonly entries = new Map<string, CompatEntry>()
  add(feature: string, status: CompatStatus, where?: string): void {
    const e = this.entries.get(feature) ?? { feature, status, where: [] }
    this.entries.set(feature, e)
    if (where !== undefined && !e.where.includes(where)) e.where.push(where)
  }
  /** `prefix` (`traffic_shaping`) used with `value`: one entry per part for a partly active block. */
  block(prefix: string, status: CompatStatus, value: unknown, where?: string): void {
    const parts = RUNWAY_PARTS[prefix]
    if (parts === undefined || !isObj(value) || Object.keys(value).length === 0) {
      this.add(prefix, status, where)
      return
    }
    for (const part of Object.keys(value)) this.add(`${prefix}.${part}`, parts[part] ?? 'unknown', where)
  }
  extras(prefix: string, o: unknown, where: string): void {
    if (!isObj(o)) return
    for (const [key, status] of Object.entries(RUNWAY_SUBKEYS[prefix])) if (at(o, key) !== undefined) this.add(`${prefix}.${key}`, status, where)
  }
}

/** The Runway features a parsed config object uses, in config order. */
export function runwayCompat(raw: unknown): CompatEntry[] {
  const report = new Report()
  if (!isObj(raw)) return []
  for (const [key, value] of Object.entries(raw)) report.block(key, statusOf(key, RUNWAY_TOP_KEYS, PORTICO_TOP), value)
  if (Array.isArray(raw.listeners)) {
    for (const [i, l] of raw.listeners.entries()) report.extras('listeners[]', l, isObj(l) && typeof l.id === 'string' ? l.id : `#${i}`)
  }
  if (isObj(raw.upstreams)) for (const [name, u] of Object.entries(raw.upstreams)) report.extras('upstreams.*', u, name)
  if (Array.isArray(raw.routes)) {
    for (const [i, r] of raw.routes.entries()) {
      if (!isObj(r)) continue
      const where = typeof r.id === 'string' ? r.id : `#${i}`
      for (const [key, value] of Object.entries(r)) report.block(`routes[].${key}`, statusOf(key, RUNWAY_ROUTE_KEYS, PORTICO_ROUTE), value, where)
    }
  }
  return [...report.entries.values()]
}

/** null when the text is not YAML holding a mapping (validation reports why). */
export function compatOfText(text: string): CompatEntry[] | null {
  let raw: unknown
  try {
    raw = parse(text, { maxAliasCount: 100 })
  } catch {
    return null
  }
  return isObj(raw) ? runwayCompat(raw) : null
}

const LABEL: Record<CompatStatus, string> = {
  active: 'active',
  inactive: 'accepted, not active',
  missing: 'missing',
  portico: 'portico only',
  unknown: 'unknown key',
}
const ORDER: CompatStatus[] = ['active', 'inactive', 'missing', 'portico', 'unknown']

/** A table: one line per feature, grouped by status, with where it is used. */
export function formatCompat(entries: readonly CompatEntry[], file: string): string {
  const count = (s: CompatStatus) => entries.filter((e) => e.status === s).length
  const head = `${file}: Runway features: ${count('active')} active, ${count('inactive')} accepted but not active, ${count('missing')} missing`
  const sorted = ORDER.flatMap((s) => entries.filter((e) => e.status === s))
  const width = Math.max(0, ...sorted.map((e) => e.feature.length))
  const lines = sorted.map((e) => `  ${LABEL[e.status].padEnd(22)}${e.feature.padEnd(width + 2)}${e.where.join(', ')}`.trimEnd())
  return [head, ...lines].join('\n')
}
