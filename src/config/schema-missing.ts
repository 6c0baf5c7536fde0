/**
 * Runway keys whose features Portico does not have: each one is a schema entry that refuses
 * any value with "Runway's X feature is not available in Portico", so the issue carries the
 * key's own path and line, and the strict object's "did you mean" hint stays for real typos.
 * The lists are runway-features.ts.
 * @module
 */
import { z } from 'zod'
import { type FeatureStatus, keysWith, missingMessage, RUNWAY_HANDLER_FEATURES, RUNWAY_PARTS, RUNWAY_ROUTE_KEYS, RUNWAY_TOP_KEYS } from './runway-features.ts'

/**
 * Typed as adding no keys: a refused key never reaches the parsed Config, and an index
 * signature here would make every other key of the block `undefined` to the type checker.
 */
function refusing(table: Readonly<Record<string, FeatureStatus>>, prefix = ''): Record<never, never> {
  const shape: Record<string, z.ZodOptional<z.ZodNever>> = {}
  for (const key of keysWith(table, 'missing')) {
    const message = missingMessage(prefix + key)
    // The description shows in `portico schema`, so an editor says why the key is refused.
    shape[key] = z.never({ error: message }).describe(message).optional()
  }
  return shape
}

/** Spread into the top-level shape. */
export const missingTopKeys = refusing(RUNWAY_TOP_KEYS)

/** Spread into the route shape. */
export const missingRouteKeys = refusing(RUNWAY_ROUTE_KEYS)

/** Extends the `authentication` block (ldap, saml). */
export const missingAuthKeys = refusing(RUNWAY_PARTS.authentication, 'authentication.')

/** A route that uses a Runway handler feature (static, sequential, …) has its target there. */
export function usesRunwayHandler(route: Record<string, unknown>): boolean {
  return RUNWAY_HANDLER_FEATURES.some((k) => route[k] !== undefined)
}
