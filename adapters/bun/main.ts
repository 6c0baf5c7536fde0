/**
 * Bun entry: `bun run adapters/bun/main.ts --config portico.yaml`.
 * @module
 */
import { runServerMain } from '../server/server-main.ts'
import { PARENT_CONTROL_ENV } from '../server/shutdown.ts'
import { bunSpec } from './serve.ts'

await runServerMain(bunSpec, {
  onSignal: (signal, handler) => void process.on(signal, handler),
  exit: (code) => process.exit(code),
  unrefTimer: (t) => void t.unref(),
  parentControl: () => (process.env[PARENT_CONTROL_ENV] === undefined ? null : Bun.stdin.stream()),
})
