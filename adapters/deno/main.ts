/**
 * Deno entry: `deno run --unstable-no-legacy-abort --allow-net --allow-read --allow-env --allow-sys --allow-write adapters/deno/main.ts --config portico.yaml`.
 * @module
 */
import { runServerMain } from '../server/server-main.ts'
import { PARENT_CONTROL_ENV } from '../server/shutdown.ts'
import { denoSpec } from './serve.ts'

await runServerMain(denoSpec, {
  onSignal: (signal, handler) => Deno.addSignalListener(signal, handler),
  exit: (code) => Deno.exit(code),
  unrefTimer: (t) => Deno.unrefTimer(t),
  parentControl: () => (Deno.env.get(PARENT_CONTROL_ENV) === undefined ? null : Deno.stdin.readable),
})
