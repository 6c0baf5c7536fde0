/** Helpers for black-box requests: fetch for ordinary calls, raw node:http where fetch would tidy the request. */
import { request as httpRequest } from 'node:http'
import { inject } from 'vitest'

export const base = inject('baseUrl')
export const adminBase = inject('adminUrl')
export const adminToken = inject('adminToken')

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** Sends the path bytes as given (no dot-segment resolution, no header normalisation). */
export function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<RawResponse> {
  const u = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
      // A connection closed before the body ended must settle too, never hang the test.
      res.on('close', () => {
        if (!res.complete) reject(new Error('connection closed before the response ended'))
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

export async function getJson(path: string, init?: RequestInit): Promise<{ res: Response; json: any }> {
  const res = await fetch(base + path, init)
  const text = await res.text()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    json = text
  }
  return { res, json }
}

export function admin(path: string, token: string | null = adminToken, init: RequestInit = {}): Promise<Response> {
  const headers = { ...(init.headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) }
  return fetch(adminBase + path, { ...init, headers })
}

export function expectErrorShape(json: any, status: number, code?: string): void {
  if (json?.error?.status !== status) throw new Error(`expected error status ${status}, got ${JSON.stringify(json)}`)
  if (code !== undefined && json.error.code !== code) throw new Error(`expected code ${code}, got ${json.error.code}`)
  if (typeof json.error.request_id !== 'string' || json.error.request_id === '') throw new Error('error has no request_id')
  if (typeof json.error.message !== 'string') throw new Error('error has no message')
}
