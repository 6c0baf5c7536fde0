/**
 * Runway's own documentation examples (test/fixtures/runway-corpus, one snippet per file, see
 * its README) validated as Portico configs: a snippet that uses only Portico features passes;
 * any other fails with exactly the "Runway's X feature is not available in Portico" issues for
 * the features it uses, each with its line, and nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parse, stringify } from 'yaml'
import { parseConfig } from '../../../src/config/load.ts'
import type { ConfigIssue } from '../../../src/config/types.ts'

const dir = join(import.meta.dirname, '../../fixtures/runway-corpus')

interface Snippet {
  file: string
  source: string
  wrap: 'config' | 'route'
  expect: { kind: 'valid' } | { kind: 'missing' | 'typo'; items: string[] }
  pending?: string
  body: string
}

function header(text: string, name: string, file: string): string | undefined {
  return new RegExp(`^# ${name}: (.+)$`, 'm').exec(text)?.[1]?.trim() ?? (name === 'pending' ? undefined : fail(`${file}: no "# ${name}:" line`))
}

function fail(message: string): never {
  throw new Error(message)
}

function readSnippet(file: string): Snippet {
  const text = readFileSync(join(dir, file), 'utf8')
  const wrap = header(text, 'wrap', file)
  if (wrap !== 'config' && wrap !== 'route') fail(`${file}: wrap must be config or route`)
  const [kind, list] = (header(text, 'expect', file) ?? '').split(/\s+/, 2)
  if (kind !== 'valid' && kind !== 'missing' && kind !== 'typo') fail(`${file}: expect must be valid, missing … or typo …`)
  const expectation: Snippet['expect'] = kind === 'valid' ? { kind } : { kind, items: (list ?? '').split(',').filter(Boolean) }
  return { file, source: header(text, 'Source', file) ?? '', wrap, expect: expectation, pending: header(text, 'pending', file), body: text }
}

/** Keys a Runway route can take its answer from; a route with none gets a placeholder backend. */
const TARGETS = ['backends', 'upstream', 'service', 'echo', 'traffic_split', 'ai', 'static', 'sequential', 'aggregate', 'fastcgi', 'graphql_federation', 'versioning', 'lambda', 'amqp', 'pubsub', 'mock_response']

/**
 * Doc snippets focus on one feature: a route often has no `path` or no backend, and a route
 * fragment is only the route's body. This completes them the way a user would, and no more.
 */
function completeRoute(route: Record<string, unknown>, index: number): Record<string, unknown> {
  const id = typeof route.id === 'string' ? route.id : `corpus-${index}`
  const out: Record<string, unknown> = { id, path: `/${id}`, ...route }
  if (!TARGETS.some((k) => out[k] !== undefined)) out.backends = [{ url: 'http://127.0.0.1:9' }]
  return out
}

function configText(s: Snippet): string {
  const doc = parse(s.body) as Record<string, unknown>
  const config = s.wrap === 'route' ? { routes: [doc] } : doc
  if (Array.isArray(config.routes)) config.routes = config.routes.map((r, i) => completeRoute(r as Record<string, unknown>, i))
  return stringify(config)
}

/** Every `${NAME}` / `${env:NAME}` is set and every `${file:…}` reads: the snippets are about keys, not secrets. */
const env = new Proxy({} as Record<string, string>, { get: (_, name) => (typeof name === 'string' ? `corpus-${name.toLowerCase()}-0123456789abcdef` : undefined) })
const readFile = (path: string) => `corpus file ${path}`

const MISSING = /^Runway's (\S+) feature is not available in Portico$/

function check(s: Snippet): void {
  const res = parseConfig(configText(s), s.file, { env, readFile })
  const issues: ConfigIssue[] = res.ok ? [] : res.issues
  const shown = issues.map((i) => `${i.path}: ${i.message}`)
  if (s.expect.kind === 'valid') {
    expect(shown, s.source).toEqual([])
    return
  }
  expect(issues.length, s.source).toBeGreaterThan(0)
  for (const i of issues) expect(i.line, `${i.path} has a line`).toBeTypeOf('number')
  if (s.expect.kind === 'missing') {
    expect(shown.filter((_, n) => !MISSING.test(issues[n].message)), s.source).toEqual([])
    const features = new Set(issues.map((i) => MISSING.exec(i.message)?.[1]))
    expect([...features].sort()).toEqual([...s.expect.items].sort())
  } else {
    // Keys Runway's own struct does not have (a slip in its docs; Runway ignores them silently).
    expect(issues.map((i) => i.path).sort()).toEqual([...s.expect.items].sort())
    for (const i of issues) expect(i.message).toMatch(/^unknown key /)
  }
}

const snippets = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map(readSnippet)

describe("Runway's documentation examples", () => {
  test('the corpus covers every documentation area asked for, with at least 60 snippets', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(60)
    const areas = new Set(snippets.map((s) => /docs\/([^/]+)\//.exec(s.source)?.[1]))
    for (const area of ['rate-limiting', 'resilience', 'security', 'traffic-routing', 'caching', 'protocol', 'getting-started']) {
      expect(areas).toContain(area)
    }
  })

  for (const s of snippets) {
    const name = `${s.file}: ${s.expect.kind}${'items' in s.expect ? ` ${s.expect.items.join(',')}` : ''}`
    // A pending snippet needs a Runway spelling another change brings, or names a gap: it must fail
    // today, so the day it passes this test says so and the annotation goes.
    if (s.pending !== undefined) test.fails(`${name} (pending: ${s.pending})`, () => check(s))
    else test(name, () => check(s))
  }
})
