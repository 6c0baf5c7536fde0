/**
 * Compile-time proof that the zod schema and types.ts describe the same config, in both
 * directions, for every key types.ts names (its `[later: string]: unknown` catch-all aside).
 * A drift on either side fails `tsc`, not a request at runtime.
 * @module
 */
import type { z } from 'zod'
import type { configShape, routeSchema } from './schema.ts'
import type { AdminConfig, Config, ListenerConfig, RouteConfig } from './types.ts'

type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] }
type Parsed = z.output<typeof configShape>
type RouteParsed = z.output<typeof routeSchema>
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
// listeners.id and admin.address are optional in the input and filled in by the final transform.
type ConfigCore = Omit<Known<Config>, 'routes' | 'listeners' | 'admin'>
export const schemaMatchesTypes: [
  Mutual<Pick<RouteParsed, keyof Known<RouteConfig>>, Known<RouteConfig>>,
  Mutual<Pick<Parsed, keyof ConfigCore>, ConfigCore>,
  Mutual<Omit<Parsed['listeners'][number], 'id'> & { id: string }, ListenerConfig>,
  Mutual<Omit<Parsed['admin'], 'address'>, Omit<AdminConfig, 'address'>>,
] = [true, true, true, true]
