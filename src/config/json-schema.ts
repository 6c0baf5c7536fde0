/** `portico schema`: JSON Schema of the config as written (durations are strings). */
import { z } from 'zod'
import { configSchema } from './schema.ts'

export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
}
