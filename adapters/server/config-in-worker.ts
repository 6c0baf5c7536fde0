/**
 * Config validation in a short-lived Web Worker, for Bun and Deno. The validator (zod, the yaml
 * parser and the schema) is needed only at start and on reload, but once imported its modules
 * and objects stay in the main heap for good; a worker's isolate is freed when it terminates.
 * A smaller main heap also settles smaller under load. Measured, small-GET load, 3 × 5 s:
 * - Bun 1.4: idle 60 → 52 MB, under load 104 → 81 MB;
 * - Deno 2.9: idle 73 → 85 MB (the worker's thread memory is not given back), under load
 *   205–210 → 173–182 MB, which is what the peak is made of.
 * Start-up costs one worker: +12 ms on Bun, +27 ms on Deno. Node keeps validating in process:
 * its resident memory is within its goal and it has no global Web Worker.
 * @module
 */
import type { LoadResult } from './config-file.ts'

export interface ConfigWorkerOptions {
  /** A validation that has not answered by then is reported as a problem (default 30 s). */
  timeoutMs?: number
  /** The worker module (tests point it elsewhere). */
  workerUrl?: URL
}

export function loadConfigInWorker(file: string, env: Record<string, string | undefined>, options: ConfigWorkerOptions = {}): Promise<LoadResult> {
  const { timeoutMs = 30_000, workerUrl = new URL(import.meta.url.endsWith('.ts') ? './config-worker.ts' : './config-worker.js', import.meta.url) } = options
  const worker = new Worker(workerUrl.href, { type: 'module' })
  const problem = (message: string): LoadResult => ({ ok: false, issues: [{ file, path: '', message }] })
  let timer: ReturnType<typeof setTimeout> | undefined
  return new Promise<LoadResult>((resolve) => {
    worker.onmessage = (event: MessageEvent<LoadResult>) => resolve(event.data)
    // An exception in the validator itself, not a config problem: still reported as one, so a
    // start fails with a message and a reload is rejected while the running config serves on.
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault()
      // Bun 1.4 leaves `error` null and puts a source excerpt in `message`, with the thrown
      // message on its `error: …` line; Deno sets `error`.
      const error = event.error as { message?: unknown } | null | undefined
      const text = String(event.message)
      const message = typeof error?.message === 'string' ? error.message : (/^error: (.+)$/m.exec(text)?.[1] ?? text.split('\n')[0])
      resolve(problem(`config validation failed: ${message}`))
    }
    worker.onmessageerror = () => resolve(problem('config validation failed: its result could not be received'))
    // Never a start or a reload queue stuck behind a worker that does not answer.
    timer = setTimeout(() => resolve(problem(`config validation did not finish within ${timeoutMs} ms`)), timeoutMs)
    worker.postMessage({ file, env: { ...env } })
  }).finally(() => {
    clearTimeout(timer)
    worker.terminate()
  })
}
