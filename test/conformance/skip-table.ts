/**
 * Every runtime difference in one table (runtime → feature → reason). Plain data, so both the
 * tests (skips.ts) and the global setup, which prints the table at start, can import it.
 */
export type Feature = 'hostOverride' | 'adminListener' | 'cliOnce' | 'clientAbort' | 'activeChecks' | 'reload'

const CLI_ONCE = 'CLI validation and the bundled example are runtime-independent; exercised in the node run'

export const SKIPS: Record<string, Partial<Record<Feature, string>>> = {
  node: {},
  bun: { cliOnce: CLI_ONCE },
  deno: {
    hostOverride: "Deno's fetch always derives Host from the URL (rewrite.host cannot be honoured)",
    cliOnce: CLI_ONCE,
  },
  workerd: {
    hostOverride: "workerd's fetch always derives Host from the URL (rewrite.host cannot be honoured)",
    clientAbort:
      "observed here: under Miniflare a client disconnect does not cancel the worker's upstream subrequest (the local entry does not propagate it)",
    reload:
      'the config is bound into the worker at deploy time; a Worker reloads by redeploy or by `portico push-config` to KV (tested in test/integration/workerd-kv-config.test.ts)',
    adminListener: 'the platform owns the socket: no separate admin listener, admin is mounted under admin.path_prefix',
    cliOnce: CLI_ONCE,
  },
}

/** One line per skipped feature, for the run's header. */
export function describeSkips(runtime: string): string[] {
  return Object.entries(SKIPS[runtime] ?? {}).map(([feature, reason]) => `skipped on ${runtime}: ${feature}: ${reason}`)
}
