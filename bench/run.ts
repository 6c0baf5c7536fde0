/**
 * `npm run bench`: Portico beside the direct upstream and its peers, in one interleaved run
 * (every target once per case per round, rounds repeated), on this machine. Prints a Markdown
 * table (req/s, p50/p99, ratio to direct, proxy CPU µs/request, peak RSS) and the goal
 * ratios; writes JSON to bench/results/. A benchmark, not a test: nothing here asserts.
 *   node bench/run.ts [--rounds N] [--seconds S] [--smoke] [--growth-runs N] [--no-stores]
 */
import { execFileSync, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cpuSeconds, peakRssMb, rssMb, start, stop, waitForPort } from './procs.ts'
import { nginxConf, root, type Target, targets, UPLOAD_PORT, upstreamBody } from './targets.ts'
import { SignJWT } from 'jose'
import { latencyTable, runStoreLatency } from './store-latency.ts'
import { type WrkResult, wrk } from './wrk.ts'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '5' },
    smoke: { type: 'boolean', default: false },
    /** Substrings of target names to keep (comma separated), e.g. `--only node` */
    only: { type: 'string' },
    /** How many of the cases to run, in order (small, 64 KiB, 1 MB POST). */
    cases: { type: 'string', default: '3' },
    /** Consecutive small-GET runs per Portico target for the RSS-growth check (0 = skip). */
    'growth-runs': { type: 'string', default: '5' },
    /** Skip the store decision-latency section. */
    'no-stores': { type: 'boolean', default: false },
  },
})
const smoke = values.smoke
const rounds = smoke ? 1 : Number(values.rounds)
const seconds = smoke ? 1 : Number(values.seconds)

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
if (!has('wrk')) {
  console.error('bench: wrk is required (apt-get install -y wrk); nginx is optional (apt-get install -y nginx-light)')
  process.exit(1)
}
const hasNginx = has('nginx')
const dir = mkdtempSync(join(tmpdir(), 'portico-bench-'))
// nginx workers run as an unprivileged user: the files it serves must be readable to them.
chmodSync(dir, 0o755)
const UPSTREAM_PORT = 19100
const upstream = `http://127.0.0.1:${UPSTREAM_PORT}`
const uploadProc = hasNginx ? start(process.execPath, [join(root, 'bench/peers/node-upstream.mjs'), String(UPLOAD_PORT)]) : null
const upstreamProc = hasNginx
  ? start('nginx', ['-c', nginxConf(dir, UPSTREAM_PORT, upstreamBody(dir))])
  : start(process.execPath, [join(root, 'bench/peers/node-upstream.mjs'), String(UPSTREAM_PORT)])
await waitForPort(UPSTREAM_PORT)
if (hasNginx) await waitForPort(UPLOAD_PORT)

const cases = [
  { name: 'GET small body', path: '/small' },
  { name: 'GET 64 KiB body', path: '/files/64k.bin' },
  { name: 'POST 1 MB upload', path: '/upload', script: join(root, 'bench/post-1mb.lua') },
].slice(0, smoke ? 1 : Number(values.cases))

// A long-lived HS256 token for the realistic route (signed here, verified by Portico per request).
const realisticSecret = 'bench-secret-0123456789abcdef0123456789abcdef'
const realisticToken = await new SignJWT({ sub: 'bench-client' })
  .setProtectedHeader({ alg: 'HS256' })
  .setIssuer('https://bench.portico.test')
  .setAudience('bench')
  .setExpirationTime('2h')
  .sign(new TextEncoder().encode(realisticSecret))
let list = targets(UPSTREAM_PORT, upstream, dir, hasNginx, { secret: realisticSecret, token: realisticToken })
if (smoke) list = list.filter((t) => ['direct', 'portico node', 'portico bun', 'portico deno', 'portico node (realistic)'].includes(t.name))
if (values.only) {
  const keep = values.only.split(',')
  list = list.filter((t) => t.name === 'direct' || keep.some((k) => t.name.includes(k)))
}
const isPortico = (t: Target) => t.name.startsWith('portico')
const procs = new Map<Target, ChildProcess>()
// Never leave servers behind, even on Ctrl-C or a crash mid-run.
const killAll = () => {
  for (const p of [...procs.values(), upstreamProc, uploadProc]) p?.kill('SIGKILL')
}
process.on('exit', killAll)
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130))
for (const t of list) {
  if (!t.command) continue
  const [cmd, args, env] = t.command
  procs.set(t, start(cmd, args, env))
}
for (const t of list) await waitForPort(t.port, 60_000)

interface Sample extends WrkResult {
  cpuUsPerReq: number | null
}
const samples = new Map<string, Sample[]>() // key: case|target
for (let round = 1; round <= rounds; round++) {
  for (const c of cases) {
    for (const t of list) {
      if (t.cases !== undefined && !t.cases.includes(c.name)) continue
      const url = `http://127.0.0.1:${t.port}${c.path}`
      if (round === 1) wrk(url, 1, c.script, t.headers) // warm-up (JIT, pools)
      const pid = procs.get(t)?.pid
      const cpu0 = pid ? cpuSeconds(pid) : 0
      const r = wrk(url, seconds, c.script, t.headers)
      const cpuUsPerReq = pid && r.requests > 0 ? ((cpuSeconds(pid) - cpu0) * 1e6) / r.requests : null
      const key = `${c.name}|${t.name}`
      samples.set(key, [...(samples.get(key) ?? []), { ...r, cpuUsPerReq }])
      process.stderr.write(`round ${round} ${c.name} ${t.name}: ${Math.round(r.rps)} req/s${r.errors ? `, ${r.errors} errors` : ''}\n`)
    }
  }
}
const rss = new Map(list.map((t) => [t.name, procs.get(t)?.pid ? peakRssMb(procs.get(t)!.pid!) : null]))

// Growth: the same process under N consecutive small-GET runs, after one uncounted run. A leak
// shows as resident memory rising run after run. A GC heap also grows while it settles at its
// working size, then stays (Node's realistic route: 335, 349, 356, 361, then 361 MB for eight
// more runs), so the check allows 5% between the first and the last counted run.
const growthRuns = Number(values['growth-runs'])
const growth = new Map<string, number[]>()
for (const t of growthRuns > 0 ? list.filter((x) => (x.growth || isPortico(x)) && procs.get(x)?.pid) : []) {
  const pid = procs.get(t)!.pid!
  const after: number[] = []
  const url = `http://127.0.0.1:${t.port}${cases[0].path}`
  wrk(url, seconds, undefined, t.headers)
  for (let i = 0; i < growthRuns; i++) {
    const r = wrk(url, seconds, undefined, t.headers)
    if (r.errors) process.stderr.write(`growth run ${i + 1} ${t.name}: ${r.errors} errors\n`)
    after.push(rssMb(pid))
  }
  growth.set(t.name, after)
  process.stderr.write(`growth ${t.name}: ${after.join(' → ')} MB\n`)
}
for (const p of procs.values()) await stop(p)
await stop(upstreamProc)
if (uploadProc) await stop(uploadProc)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const summary = (c: string, t: string) => {
  const s = samples.get(`${c}|${t}`) ?? []
  return {
    rps: median(s.map((x) => x.rps)),
    p50ms: median(s.map((x) => x.p50ms)),
    p99ms: median(s.map((x) => x.p99ms)),
    cpuUsPerReq: s[0]?.cpuUsPerReq == null ? null : median(s.map((x) => x.cpuUsPerReq ?? 0)),
    errors: s.reduce((n, x) => n + x.errors, 0),
  }
}

const version = (cmd: string, args: string[]) => {
  try {
    // nginx -v prints to stderr: read both.
    return execFileSync('sh', ['-c', `"$0" "$@" 2>&1`, cmd, ...args], { encoding: 'utf8' }).split('\n')[0].trim()
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? '').split('\n')[0].trim() || 'n/a'
  }
}
const versions = {
  node: process.version,
  bun: version(join(root, 'node_modules/.bin/bun'), ['--version']),
  deno: version(join(root, 'node_modules/.bin/deno'), ['--version']),
  nginx: hasNginx ? version('nginx', ['-v']) : 'not installed (Node upstream used)',
}
const lines: string[] = [
  `Upstream: ${hasNginx ? 'nginx (1 worker)' : 'Node http server (nginx not installed)'}; load: wrk -t1 -c50 -d${seconds}s; ${rounds} interleaved round(s); medians.`,
  `Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  '',
]
for (const c of cases) {
  const direct = summary(c.name, 'direct').rps
  lines.push(`### ${c.name}`, '', '| target | req/s | p50 ms | p99 ms | ÷ direct | CPU µs/req | peak RSS MB | errors |', '|---|---|---|---|---|---|---|---|')
  for (const t of list) {
    if (!samples.has(`${c.name}|${t.name}`)) continue
    const s = summary(c.name, t.name)
    const cpu = s.cpuUsPerReq === null ? '–' : Math.round(s.cpuUsPerReq)
    lines.push(`| ${t.name}${t.note ? ` (${t.note})` : ''} | ${Math.round(s.rps)} | ${s.p50ms.toFixed(2)} | ${s.p99ms.toFixed(2)} | ${(s.rps / direct).toFixed(2)} | ${cpu} | ${rss.get(t.name) ?? '–'} | ${s.errors} |`)
  }
  lines.push('', ...peerRatios(c.name), '')
}
/** Each Portico target's req/s divided by each peer's, for one case (a row per Portico target). */
function peerRatios(c: string): string[] {
  const ran = list.filter((t) => samples.has(`${c}|${t.name}`) && t.name !== 'direct')
  const peers = ran.filter((t) => !isPortico(t))
  const ours = ran.filter(isPortico)
  if (peers.length === 0 || ours.length === 0) return []
  const rows = ours.map((o) => `| ${o.name} | ${peers.map((p) => (summary(c, o.name).rps / summary(c, p.name).rps).toFixed(2)).join(' | ')} |`)
  return [`Portico ÷ each peer (req/s):`, '', `| | ${peers.map((p) => p.name).join(' | ')} |`, `|---|${peers.map(() => '---|').join('')}`, ...rows]
}
const ratio = (c: string, a: string, b: string) => summary(c, a).rps / summary(c, b).rps
/** Portico on each runtime beside the bare proxy of that runtime: the throughput and the peak-RSS goals. */
const bare: [string, string, string, number][] = [
  ['portico node ÷ undici reference', 'portico node', 'node: undici Pool.stream (reference)', 0.8],
  ['portico bun ÷ bare Bun', 'portico bun', 'bun: Bun.serve + fetch', 0.9],
  ['portico deno ÷ bare Deno', 'portico deno', 'deno: Deno.serve + fetch', 0.9],
  // Not a goal of the issue: local workerd is not the edge. Shown so Portico's figures there have a baseline.
  ['portico workerd ÷ bare workerd (local Miniflare, informational)', 'portico workerd', 'workerd: bare fetch worker', 0.9],
]
const goals: [string, string, string, number][] = [
  ['portico node ÷ fastify', 'portico node', 'node: fastify + @fastify/http-proxy', 1.5],
  ...bare,
  ['node realistic ÷ plain', 'portico node (realistic)', 'portico node', 0.7],
  ['bun realistic ÷ plain', 'portico bun (realistic)', 'portico bun', 0.7],
  ['deno realistic ÷ plain', 'portico deno (realistic)', 'portico deno', 0.7],
]
lines.push('### Goals (ratios of req/s in this run)', '', '| case | ratio | value | goal | met |', '|---|---|---|---|---|')
for (const c of cases) {
  for (const [label, a, b, goal] of goals) {
    if (!samples.has(`${c.name}|${a}`) || !samples.has(`${c.name}|${b}`)) continue
    const v = ratio(c.name, a, b)
    lines.push(`| ${c.name} | ${label} | ${v.toFixed(2)} | ≥ ${goal} | ${v >= goal ? 'yes' : 'no'} |`)
  }
}
// Peak RSS is over the whole run (every case), so it is compared per process, not per case.
const rssRows = bare.flatMap(([label, a, b]) => {
  const [x, y] = [rss.get(a), rss.get(b)]
  return x && y ? [`| ${label} | ${x} | ${y} | ${(x / y).toFixed(2)} | ≤ 1.3 | ${x / y <= 1.3 ? 'yes' : 'no'} |`] : []
})
if (rssRows.length > 0) lines.push('', '### Peak RSS ÷ bare proxy on the same runtime', '', '| ratio | Portico MB | bare MB | value | goal | met |', '|---|---|---|---|---|---|', ...rssRows)
if (growth.size > 0) {
  lines.push('', `### Resident memory across ${growthRuns} consecutive ${cases[0].name} runs after a warm-up run (MB after each)`, '', '| target | after each run | growth from run 1 | no growth (≤ 5%, GC noise) |', '|---|---|---|---|')
  for (const [name, after] of growth) {
    const grew = after[after.length - 1] - after[0]
    // 1 s smoke runs are too short for a heap to settle: the figures are shown, not judged.
    const verdict = smoke ? '– (smoke)' : grew <= after[0] * 0.05 ? 'yes' : 'no'
    lines.push(`| ${name} | ${after.join(' → ')} | ${grew} | ${verdict} |`)
  }
}
console.log(lines.join('\n'))

// Store decision latency (issue 4): the cost one rate-limit decision adds per store.
const storeRows = values['no-stores'] ? [] : await runStoreLatency(smoke ? 200 : 5000)
if (storeRows.length > 0) console.log(`\n### Store decision latency (one token-bucket decision)\n\n${latencyTable(storeRows)}`)
mkdirSync(join(root, 'bench/results'), { recursive: true })
const out = join(root, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(out, JSON.stringify({ versions, rounds, seconds, samples: Object.fromEntries(samples), rss: Object.fromEntries(rss), growth: Object.fromEntries(growth), stores: storeRows }, null, 2))
console.log(`\nJSON: ${out}`)
