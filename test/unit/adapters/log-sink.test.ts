import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { createFileSink } from '../../../adapters/server/log-sink.ts'

const file = () => join(mkdtempSync(join(tmpdir(), 'portico-sink-')), 'access.log')
const read = (path: string) => readFileSync(path, 'utf8')

describe('file log sink', () => {
  it('holds access lines until the buffer fills, then writes them in one go, in order', () => {
    const path = file()
    const sink = createFileSink(path, { bufferBytes: 30, flushMs: 60_000 })
    sink.write('one-1234567')
    sink.write('two-1234567')
    expect(read(path)).toBe('')
    sink.write('three-12345') // 36 bytes buffered ≥ 30
    expect(read(path)).toBe('one-1234567\ntwo-1234567\nthree-12345\n')
    sink.close()
  })

  it('writes a held line within flushMs even when traffic stops', async () => {
    const path = file()
    const sink = createFileSink(path, { flushMs: 20 })
    sink.write('lonely')
    expect(read(path)).toBe('')
    await vi.waitFor(() => expect(read(path)).toBe('lonely\n'), { timeout: 2000, interval: 10 })
    sink.close()
  })

  it('writes operational lines at once, after the access lines logged before them', () => {
    const path = file()
    const sink = createFileSink(path, { flushMs: 60_000 })
    sink.write('access-a')
    sink.writeNow('error-b')
    expect(read(path)).toBe('access-a\nerror-b\n')
    sink.close()
  })

  it('appends to an existing file, and close writes what is held and ignores later lines', () => {
    const path = file()
    writeFileSync(path, 'before\n')
    const sink = createFileSink(path, { flushMs: 60_000 })
    sink.write('held')
    sink.close()
    sink.write('after close')
    sink.close()
    expect(read(path)).toBe('before\nheld\n')
  })
})
