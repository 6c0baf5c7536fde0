/**
 * Structured JSON logging (and access lines a `logging.format` template rendered). The
 * adapter supplies the sink (stdout, a file); the core only formats. Secrets never reach here:
 * callers log ids and counts, not header values.
 * @module
 */
import type { LogFields, LogLevel, Logger } from '../core/runtime.ts'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type LogSink = (line: string) => void

export function createLogger(level: LogLevel, sink: LogSink, accessSink: LogSink = sink): Logger {
  const min = RANK[level]
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return
    sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }))
  }
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    access(record) {
      accessSink(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'access', ...record }))
    },
    accessLine: accessSink,
  }
}
