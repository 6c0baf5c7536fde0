/**
 * `npm pack` / `npm publish` (prepack): dist/ for the package's `exports`. Node refuses to strip
 * types under node_modules (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING), so each entry is
 * bundled to JS by esbuild (npm dependencies stay imports; lazy imports become chunks) and
 * tsc writes the declarations. A git checkout never needs this: it runs the sources.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')
rmSync(dist, { recursive: true, force: true })

await build({
  absWorkingDir: root,
  entryPoints: {
    portico: 'src/portico.ts',
    node: 'adapters/node/index.ts',
    bun: 'adapters/bun/index.ts',
    deno: 'adapters/deno/index.ts',
    cloudflare: 'adapters/cloudflare/index.ts',
    cli: 'adapters/node/cli.ts',
    // Loaded by URL next to the chunk that starts it (config-in-worker.ts).
    'config-worker': 'adapters/server/config-worker.ts',
  },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'es2023',
  packages: 'external',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
})

execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
// Relative `.ts` specifiers in declarations become `.js`, which every TypeScript resolution mode maps to `.d.ts`.
for (const entry of readdirSync(join(dist, 'types'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue
  const file = join(entry.parentPath, entry.name)
  writeFileSync(file, readFileSync(file, 'utf8').replace(/(from |import\()(['"])(\.\.?\/[^'"]+)\.ts\2/g, '$1$2$3.js$2'))
}
