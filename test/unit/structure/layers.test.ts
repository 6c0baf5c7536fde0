/**
 * The shape of src/ as a test: no import circle between files, and every import runs down the
 * layer table (a room imports only rooms below it or its own). The table is the architecture:
 * core is the contract and imports nothing; config is data just above it; the request path is
 * assembled at the top (gateway), and the library face (portico.ts) above everything.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'

const src = resolve(import.meta.dirname, '../../../src')

/** Bottom first. A name is a folder of src/ or a file directly in it. */
const LAYERS = [
  'core',
  'config',
  'convert',
  'http',
  'net',
  'router',
  'observability',
  'store',
  'balancer',
  'proxy',
  'resilience',
  'upstream',
  'policies',
  'handlers',
  'portico-runtime.ts',
  'gateway',
  'admin',
  'portico.ts',
]

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name)
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

// Static and dynamic imports and `import('…').T` type references, relative ones only.
const IMPORT = /(?:from\s+|import\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm

function graph(dir = src): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const f of files(dir)) {
    const text = readFileSync(f, 'utf8')
    const to: string[] = []
    for (const m of text.matchAll(IMPORT)) to.push(relative(dir, resolve(dirname(f), m[1])))
    out.set(relative(dir, f), to)
  }
  return out
}

const room = (file: string) => file.split('/')[0]

/** Every import circle (Tarjan's strongly connected components of more than one file, or a self-import). */
function circles(g: Map<string, string[]>): string[][] {
  let index = 0
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const on = new Set<string>()
  const out: string[][] = []
  const visit = (v: string) => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    on.add(v)
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop()!
        on.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort())
    }
  }
  for (const v of g.keys()) if (!idx.has(v)) visit(v)
  return out
}

describe('src/ layers', () => {
  const g = graph()

  test('every room of src/ has a place in the layer table', () => {
    const rooms = new Set([...g.keys()].map(room))
    expect([...rooms].filter((r) => !LAYERS.includes(r))).toEqual([])
  })

  test('no import circle between files', () => {
    expect(circles(g)).toEqual([])
  })

  test('no import circle between the adapters either', () => {
    expect(circles(graph(join(src, '../adapters')))).toEqual([])
  })

  test('every import runs down the table (or stays in its room); core imports nothing else in src/', () => {
    const upward: string[] = []
    for (const [from, tos] of g) {
      for (const to of tos) {
        if (room(to) === room(from)) continue
        if (LAYERS.indexOf(room(to)) > LAYERS.indexOf(room(from))) upward.push(`${from} -> ${to}`)
      }
    }
    expect(upward).toEqual([])
    const coreOut = [...g].flatMap(([from, tos]) => (room(from) === 'core' ? tos.filter((t) => room(t) !== 'core') : []))
    expect(coreOut).toEqual([])
  })

  test('the check sees a circle and an upward import when there is one', () => {
    const bad = new Map([
      ['core/a.ts', ['gateway/b.ts']],
      ['gateway/b.ts', ['core/a.ts']],
    ])
    expect(circles(bad)).toEqual([['core/a.ts', 'gateway/b.ts']])
    expect(LAYERS.indexOf('gateway') > LAYERS.indexOf('core')).toBe(true)
  })
})
