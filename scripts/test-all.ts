/**
 * `npm test`: unit tests once, then the conformance suite against a live Portico on each
 * runtime. Prints a table, every skipped test with its reason, and as the very last line
 * `N passed, N failed, N skipped` summed over every runner (what CI reads).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const out = join(root, '.test-out')
mkdirSync(out, { recursive: true })

const onlyArg = process.argv.indexOf('--only')
const only = onlyArg === -1 ? null : (process.argv[onlyArg + 1] ?? '').split(',').filter(Boolean)
if (only !== null && only.length === 0) {
  console.error('usage: node scripts/test-all.ts [--only unit,integration,node,bun,deno,workerd,bun:node-http,deno:node-http]')
  process.exit(2)
}
/** A runner that hangs is killed and counted as crashed, so CI always gets its summary line. */
const RUNNER_TIMEOUT_MS = 10 * 60_000
const runtimes = ['node', 'bun', 'deno', 'workerd'].filter((r) => only === null || only.includes(r))

interface Runner {
  name: string
  args: string[]
  env?: Record<string, string>
}

const runners: Runner[] = []
if (only === null || only.includes('unit')) runners.push({ name: 'unit', args: ['--project', 'unit'] })
if (only === null || only.includes('integration')) runners.push({ name: 'integration', args: ['--project', 'integration'] })
for (const rt of runtimes) runners.push({ name: `conformance:${rt}`, args: ['--project', 'conformance'], env: { PORTICO_RUNTIME: rt } })
// Bun and Deno serve some listeners on the node:http bridge (a header deadline, mTLS, SNI): the
// same suite runs against that path too. `bun:node-http` selects one alone.
for (const rt of ['bun', 'deno']) {
  const name = `${rt}:node-http`
  if (only === null || only.includes(name)) {
    runners.push({ name: `conformance:${name}`, args: ['--project', 'conformance'], env: { PORTICO_RUNTIME: rt, PORTICO_LISTENER: 'node-http' } })
  }
}

interface Row {
  name: string
  passed: number
  failed: number
  skipped: number
  seconds: number
  skips: string[]
  failures: string[]
}

const rows: Row[] = []
for (const r of runners) {
  const json = join(out, `${r.name.replaceAll(':', '-')}.json`)
  rmSync(json, { force: true })
  const started = Date.now()
  console.log(`\n== ${r.name}`)
  // Run vitest and everything it spawns on this Node (24, from node_modules), not the system one.
  const path = `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`
  const res = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...r.args, '--reporter=default', '--reporter=json', `--outputFile=${json}`],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...r.env, PATH: path }, timeout: RUNNER_TIMEOUT_MS, killSignal: 'SIGTERM' },
  )
  const row: Row = { name: r.name, passed: 0, failed: 0, skipped: 0, seconds: (Date.now() - started) / 1000, skips: [], failures: [] }
  if (existsSync(json)) {
    const report = JSON.parse(readFileSync(json, 'utf8'))
    row.passed = report.numPassedTests
    row.failed = report.numFailedTests
    row.skipped = report.numPendingTests + report.numTodoTests
    for (const file of report.testResults ?? []) {
      for (const t of file.assertionResults ?? []) {
        const name = t.fullName ?? t.title
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') row.skips.push(name)
        else if (t.status === 'failed') row.failures.push(name)
      }
    }
    // A runner that crashed (e.g. global setup failed) without a failed test still fails.
    if (res.status !== 0 && row.failed === 0) row.failed = 1
  } else {
    row.failed = Math.max(1, row.failed)
  }
  if (res.status !== 0 && row.failures.length === 0) {
    row.failures.push(res.error ? `runner crashed: ${res.error.message}` : `runner exited with ${res.status ?? res.signal} (see its output above)`)
  }
  rows.push(row)
}

console.log('\n| runner | passed | failed | skipped | seconds |\n|---|---|---|---|---|')
for (const r of rows) console.log(`| ${r.name} | ${r.passed} | ${r.failed} | ${r.skipped} | ${r.seconds.toFixed(1)} |`)
// Skipped test names end in `[skipped on <runtime>: <reason>]` (test/conformance/skips.ts).
const skipped = rows.flatMap((r) => r.skips.map((s) => `  ${r.name}: ${s}`))
if (skipped.length > 0) console.log(`\nSkipped (with reasons):\n${skipped.join('\n')}`)
const failed = rows.flatMap((r) => r.failures.map((f) => `  ${r.name}: ${f}`))
if (failed.length > 0) console.log(`\nFailed:\n${failed.join('\n')}`)
const sum = (k: 'passed' | 'failed' | 'skipped') => rows.reduce((n, r) => n + r[k], 0)
console.log(`\n${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`)
process.exit(sum('failed') > 0 ? 1 : 0)
