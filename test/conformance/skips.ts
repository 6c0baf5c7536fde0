/**
 * Every runtime difference in one table: a test that cannot hold on a runtime is skipped
 * with its reason in the test name, visible in the output — never silently.
 */
import { inject, test } from 'vitest'

type Feature = 'hostOverride' | 'adminListener' | 'cliOnce' | 'clientAbort' | 'activeChecks' | 'reload'

const SKIPS: Record<string, Partial<Record<Feature, string>>> = {
  node: {},
  bun: { cliOnce: 'CLI validation and the bundled example are runtime-independent; exercised in the node run' },
  deno: {
    hostOverride: "Deno's fetch always derives Host from the URL (rewrite.host cannot be honoured)",
    cliOnce: 'CLI validation and the bundled example are runtime-independent; exercised in the node run',
  },
  workerd: {
    hostOverride: "workerd's fetch always derives Host from the URL (rewrite.host cannot be honoured)",
    clientAbort:
      "observed here: under Miniflare a client disconnect does not cancel the worker's upstream subrequest (the local entry does not propagate it)",
    reload:
      'the config is bound into the worker at deploy time; reloading a Worker is a redeploy (or, later, a KV config read)',
    activeChecks:
      'Workers have no timers outside a request, so active health checks do not run (the startup log says so); passive outlier detection is tested instead',
    adminListener: 'the platform owns the socket: no separate admin listener, admin is mounted under admin.path_prefix',
    cliOnce: 'CLI validation and the bundled example are runtime-independent; exercised in the node run',
  },
}

export const runtime = inject('runtime')

/** `[skipped on <runtime>: reason]` suffix when the feature does not apply, else ''. */
export function skipReason(feature: Feature): string | undefined {
  return SKIPS[runtime]?.[feature]
}

/** A test that is skipped, with its reason in its name, on runtimes where `feature` does not hold. */
export function testOn(feature: Feature, title: string, fn: () => Promise<void> | void): void {
  const reason = skipReason(feature)
  if (reason === undefined) test(title, fn)
  else test.skip(`${title} [skipped on ${runtime}: ${reason}]`, fn)
}
