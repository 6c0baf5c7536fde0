/**
 * A test that cannot hold on a runtime is skipped with its reason in the test name, visible in
 * every output — never silently. The reasons live in skip-table.ts.
 */
import { inject, test } from 'vitest'
import { type Feature, SKIPS, targetOf } from './skip-table.ts'

export const runtime = inject('runtime')
/** The runtime, with `:node-http` when its listener runs on the node:http bridge (global-setup.ts). */
export const target = targetOf(runtime, inject('listener'))

/** The reason `feature` does not apply on this runtime, or undefined when it does. */
export function skipReason(feature: Feature): string | undefined {
  return SKIPS[target]?.[feature]
}

/** A test that is skipped, with `[skipped on <runtime>: reason]` in its name, where `feature` does not hold. */
export function testOn(feature: Feature, title: string, fn: () => Promise<void> | void, timeoutMs?: number): void {
  const reason = skipReason(feature)
  if (reason === undefined) test(title, fn, timeoutMs)
  else test.skip(`${title} [skipped on ${target}: ${reason}]`, fn)
}
