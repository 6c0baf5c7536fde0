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

export function loadConfigInWorker(file: string, env: Record<string, string | undefined>): Promise<LoadResult> {
  const worker = new Worker(new URL('./config-worker.ts', import.meta.url).href, { type: 'module' })
  return new Promise<LoadResult>((resolve) => {
    worker.onmessage = (event: MessageEvent<LoadResult>) => resolve(event.data)
    // An exception in the validator itself, not a config problem: still reported as one.
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault()
      resolve({ ok: false, issues: [{ file, path: '', message: `config validation failed: ${event.message}` }] })
    }
    worker.postMessage({ file, env: { ...env } })
  }).finally(() => worker.terminate())
}
