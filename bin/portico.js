#!/usr/bin/env node
// A git checkout runs the TypeScript sources directly (Node ≥ 22.18 strips types); an installed
// package runs its build (dist/, made by `npm pack`): Node does not strip types under node_modules.
if (import.meta.url.includes('/node_modules/')) await import('../dist/cli.js')
else await import('../adapters/node/cli.ts')
