/**
 * For runtimes whose fetch decodes gzip/br bodies on its own (Deno, workerd) while keeping
 * Content-Encoding and Content-Length: those two fields no longer describe the bytes.
 * @module
 */

const DECODED = new Set(['gzip', 'x-gzip', 'br'])

export function dropDecodedEncoding(res: Response): Response {
  const encoding = res.headers.get('content-encoding')
  if (encoding === null || !DECODED.has(encoding.trim().toLowerCase())) return res
  const headers = new Headers(res.headers)
  headers.delete('content-encoding')
  headers.delete('content-length')
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers })
}
