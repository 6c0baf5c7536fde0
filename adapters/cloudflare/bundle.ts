/**
 * Bundles the worker with esbuild exactly as workerd will load it (ESM, browser-like
 * platform, `workerd` export condition). Used by the dev server and the portability test.
 * @module
 */
import { build } from 'esbuild'
import { packageRoot } from '../server/paths.ts'

export async function bundleWorker(outfile?: string, entry = `${packageRoot}adapters/cloudflare/worker.ts`): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2023',
    loader: { '.yaml': 'text' },
    // Provided by workerd itself (DurableObject base class).
    external: ['cloudflare:*'],
    write: outfile !== undefined,
    outfile: outfile ?? 'worker.js',
    minify: false,
    logLevel: 'silent',
  })
  return outfile !== undefined ? outfile : result.outputFiles![0].text
}
