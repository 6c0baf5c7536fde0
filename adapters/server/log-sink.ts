/**
 * Where log lines go (`logging.output`): stdout, stderr, or a file path (appended).
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import type { LogSink } from '../../src/observability/logger.ts'

export interface FileSinkOptions {
  /** Bytes buffered before a write (nginx `access_log … buffer=`): one syscall per batch. */
  bufferBytes?: number
  /** Longest a line waits in the buffer, ms (nginx `flush=`). */
  flushMs?: number
}

/** A sink plus the means to push out what it holds (tests, shutdown). */
export interface FileSink {
  /** Buffered: for the access log, one line per request. */
  write: LogSink
  /** Written at once, with whatever is buffered before it: for operational lines (warnings, errors). */
  writeNow: LogSink
  flush(): void
  close(): void
}

/** The sinks for `createLogger`: operational lines, and access-log lines. */
export interface LogSinks {
  line: LogSink
  access: LogSink
}

export function createLogSinks(output: string): LogSinks {
  if (output === 'stdout' || output === '' || output === 'stderr') {
    const stream = output === 'stderr' ? process.stderr : process.stdout
    const line: LogSink = (l) => void stream.write(`${l}\n`)
    return { line, access: line }
  }
  const sink = createFileSink(output)
  // Lines still buffered when the process ends are written. Deno.exit does not emit process
  // 'exit' (Deno 2.9: only process.exit does); it dispatches the global 'unload' event.
  const close = () => sink.close()
  process.once('exit', close)
  ;(globalThis as { addEventListener?: (type: string, fn: () => void) => void }).addEventListener?.('unload', close)
  return { line: sink.writeNow, access: sink.write }
}

/**
 * Appends to a file in batches, synchronously. A `fs.WriteStream` queues every write in memory
 * whatever the disk keeps up with: under a sustained benchmark the access log held hundreds of
 * MB on Bun (188 → 740 MB over five 5-second runs, docs/performance.md) and grew on Node too.
 * Here memory is bounded by one buffer, and a disk slower than the traffic slows the gateway
 * down instead of growing it, as nginx's buffered access log does.
 */
export function createFileSink(path: string, options: FileSinkOptions = {}): FileSink {
  const limit = options.bufferBytes ?? 64 * 1024
  const flushMs = options.flushMs ?? 100
  const fd = openSync(path, 'a')
  let pending: string[] = []
  let size = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  function flush(): void {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (pending.length === 0) return
    const text = pending.join('')
    pending = []
    size = 0
    try {
      writeSync(fd, text)
    } catch (err) {
      // A full or vanished disk must not take the gateway down; say so once per batch lost.
      process.stderr.write(`log file ${path}: ${(err as Error).message}; ${text.length} bytes of log lost\n`)
    }
  }

  return {
    write(line) {
      if (closed) return
      pending.push(`${line}\n`)
      size += line.length + 1
      if (size >= limit) flush()
      else if (timer === undefined) {
        timer = setTimeout(flush, flushMs)
        // Never keeps the process alive on its own; Deno's timer id is a number.
        ;(timer as { unref?: () => void }).unref?.()
      }
    },
    writeNow(line) {
      if (closed) return
      pending.push(`${line}\n`)
      flush()
    },
    flush,
    close() {
      if (closed) return
      flush()
      closed = true
      closeSync(fd)
    },
  }
}
