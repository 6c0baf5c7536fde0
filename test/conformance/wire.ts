/**
 * A raw TCP client for what neither fetch nor node:http will send: absolute-form targets,
 * invalid field names, several requests in one write. Responses are parsed by their framing
 * (Content-Length or chunked), so a test knows how many complete answers came back.
 */
import { connect } from 'node:net'

export interface WireResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface WireResult {
  responses: WireResponse[]
  /** The server closed the connection (rather than the deadline ending the read). */
  closed: boolean
}

/**
 * Writes `bytes` in one write and reads until `expect` complete responses arrived, the server
 * closed the connection, or `deadlineMs` passed (a hung connection fails the test, never hangs it).
 */
export function exchange(base: string, bytes: string | Buffer, expect: number, deadlineMs = 5000): Promise<WireResult> {
  const u = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname)
    let buf = Buffer.alloc(0)
    let settled = false
    const finish = (closed: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ responses: parseResponses(buf), closed })
    }
    const timer = setTimeout(() => finish(false), deadlineMs)
    socket.on('connect', () => socket.write(bytes))
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      if (parseResponses(buf).length >= expect) finish(false)
    })
    socket.on('end', () => finish(true))
    socket.on('close', () => finish(true))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the answers counts as a close; before any byte, it is the test's failure.
      if (buf.length > 0 || err.code === 'ECONNRESET') finish(true)
      else if (!settled) {
        settled = true
        clearTimeout(timer)
        reject(err)
      }
    })
  })
}

/** Complete responses at the start of `buf`; interim (1xx) heads are skipped. */
export function parseResponses(buf: Buffer): WireResponse[] {
  const out: WireResponse[] = []
  let at = 0
  for (;;) {
    const headEnd = buf.indexOf('\r\n\r\n', at)
    if (headEnd === -1) return out
    const lines = buf.subarray(at, headEnd).toString('latin1').split('\r\n')
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0)
    const headers: Record<string, string> = {}
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    let bodyStart = headEnd + 4
    if (status >= 100 && status < 200) {
      at = bodyStart
      continue
    }
    let body: Buffer
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const parts: Buffer[] = []
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', bodyStart)
        if (lineEnd === -1) return out
        const size = Number.parseInt(buf.subarray(bodyStart, lineEnd).toString('latin1'), 16)
        if (Number.isNaN(size)) return out
        const dataEnd = lineEnd + 2 + size
        if (buf.length < dataEnd + 2) return out
        if (size === 0) {
          // Trailer section (none expected) ends with an empty line.
          const end = buf.indexOf('\r\n', lineEnd + 2)
          if (end === -1) return out
          bodyStart = end + 2
          break
        }
        parts.push(buf.subarray(lineEnd + 2, dataEnd))
        bodyStart = dataEnd + 2
      }
      body = Buffer.concat(parts)
      at = bodyStart
    } else {
      const length = Number(headers['content-length'] ?? 0)
      if (buf.length < bodyStart + length) return out
      body = buf.subarray(bodyStart, bodyStart + length)
      at = bodyStart + length
    }
    out.push({ status, headers, body: body.toString('utf8') })
  }
}
