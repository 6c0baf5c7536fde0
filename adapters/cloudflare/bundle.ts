/**
 * Bundles the worker with esbuild exactly as workerd will load it (ESM, browser-like
 * platform, `workerd` export condition). Used by the dev server and the portability test.
 * @module
 */
import { build } from 'esbuild'
import { packageRoot } from '../common/paths.ts'

export async function bundleWorker(outfile?: string): Promise<string> {
  const result = await build({
    entryPoints: [`${packageRoot}adapters/cloudflare/worker.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2023',
    loader: { '.yaml': 'text' },
    write: outfile !== undefined,
    outfile: outfile ?? 'worker.js',
    minify: false,
    logLevel: 'silent',
  })
  return outfile !== undefined ? outfile : result.outputFiles![0].text
}
