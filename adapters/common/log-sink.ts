/**
 * Where log lines go (`logging.output`): stdout, stderr, or a file path (appended).
 * @module
 */
import { createWriteStream } from 'node:fs'
import type { LogSink } from '../../src/observability/logger.ts'

export function createLogSink(output: string): LogSink {
  if (output === 'stdout' || output === '') return (line) => process.stdout.write(`${line}\n`)
  if (output === 'stderr') return (line) => process.stderr.write(`${line}\n`)
  const stream = createWriteStream(output, { flags: 'a' })
  return (line) => stream.write(`${line}\n`)
}
