/** Process helpers for the benchmark: start/stop servers, wait for ports, read /proc CPU and RSS. */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'

export function start(cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } })
}

export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy()
        resolve(true)
      })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`port ${port} did not open`)
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(t)
}

/** CPU seconds (user + system) of a process and all its descendants that are still alive. */
export function cpuSeconds(pid: number): number {
  let total = 0
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')
      total += (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
    } catch {
      // exited
    }
  }
  return total
}

/** Peak resident set (VmHWM) in MB, summed over the process tree. */
export function peakRssMb(pid: number): number {
  return statusMb(pid, /VmHWM:\s+(\d+) kB/)
}

/** Resident set now (VmRSS) in MB, summed over the process tree: what a run left behind. */
export function rssMb(pid: number): number {
  return statusMb(pid, /VmRSS:\s+(\d+) kB/)
}

function statusMb(pid: number, field: RegExp): number {
  let kb = 0
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const m = field.exec(readFileSync(`/proc/${p}/status`, 'utf8'))
      if (m) kb += Number(m[1])
    } catch {
      // exited
    }
  }
  return Math.round(kb / 1024)
}

function descendants(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
    return kids.flatMap((k) => [k, ...descendants(k)])
  } catch {
    return []
  }
}
