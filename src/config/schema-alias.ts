/**
 * Two spellings of one key: Runway's, which the validated config carries, and Portico's own
 * earlier one, still accepted. Either may be written, not both (the schemas' transforms fold
 * the alias into Runway's key, so the alias never reaches types.ts).
 * @module
 */
import type { z } from 'zod'

/** `{ runwayKey: porticoAlias }` pairs of one block. */
export type Aliases = Readonly<Record<string, string>>

/** Run even when fields inside failed, so every problem is reported in one pass. */
export const ALWAYS = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null }

/** Reports each pair written twice, at the alias (the key a reader should delete). */
export function checkAliases(aliases: Aliases) {
  return (o: object, ctx: z.RefinementCtx): void => {
    const v = o as Record<string, unknown>
    for (const [name, alias] of Object.entries(aliases)) {
      if (v[name] !== undefined && v[alias] !== undefined) {
        ctx.addIssue({ code: 'custom', message: `set ${name} or ${alias} (Portico's name for it), not both`, path: [alias] })
      }
    }
  }
}
