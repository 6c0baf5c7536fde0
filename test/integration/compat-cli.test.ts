/**
 * `portico --validate --compat` through the real command: the Runway feature table on stdout,
 * then the usual validation result, for a file that validates and for one refused because it
 * uses features Portico lacks.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const root = join(import.meta.dirname, '../..')
const run = promisify(execFile)

async function portico(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin/portico.js'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

function tempConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'portico-compat-')), 'runway.yaml')
  writeFileSync(file, text)
  return file
}

describe('portico --validate --compat', () => {
  test('a file that validates: the table, the inactive notes, then valid', async () => {
    const file = tempConfig('registry: { type: consul }\nroutes:\n  - { id: api, path: /api, backends: [{ url: "http://h:1" }], rate_limit: { rate: 5 }, cache: { ttl: 5s } }\n')
    const r = await portico('--config', file, '--validate', '--compat')
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe(`${file}: Runway features: 5 active, 2 accepted but not active, 0 missing`)
    expect(r.stdout).toMatch(/^ {2}active {16}routes\[\]\.rate_limit +api$/m)
    expect(r.stdout).toMatch(/^ {2}accepted, not active {2}routes\[\]\.cache +api$/m)
    expect(r.stdout).toContain(`${file}: valid`)
    expect(r.stderr).toContain(`${file}: note: routes.api.cache: accepted but not active in this version`)
  })

  test('a file using features Portico lacks: the whole table still, then the refusal with lines, exit 1', async () => {
    const file = tempConfig('waf: { enabled: true }\nroutes:\n  - id: gql\n    path: /graphql\n    backends: [{ url: "http://h:1" }]\n    graphql: { max_depth: 10 }\n')
    const r = await portico('--config', file, '--compat')
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^ {2}missing {15}waf$/m)
    expect(r.stdout).toMatch(/^ {2}missing {15}routes\[\]\.graphql +gql$/m)
    expect(r.stderr).toContain(`${file}: routes.0.graphql: Runway's graphql feature is not available in Portico (line 6)`)
    expect(r.stderr).toContain(`${file}: waf: Runway's waf feature is not available in Portico (line 1)`)
  })
})
