/** Runs wrk and parses its summary (req/s, p50/p99, errors). */
import { execFileSync } from 'node:child_process'

export interface WrkResult {
  rps: number
  p50ms: number
  p99ms: number
  requests: number
  errors: number
}

function ms(value: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(value)
  if (!m) return Number.NaN
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n
}

export function wrk(url: string, seconds: number, script?: string, headers: Record<string, string> = {}): WrkResult {
  const h = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`])
  const args = ['-t1', '-c50', `-d${seconds}s`, '--latency', ...h, ...(script ? ['-s', script] : []), url]
  const out = execFileSync('wrk', args, { encoding: 'utf8', timeout: (seconds + 30) * 1000 })
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const socketErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50ms: ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    p99ms: ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    requests: num(/(\d+) requests in/),
    errors: num(/Non-2xx or 3xx responses: (\d+)/) + socketErrors,
  }
}
