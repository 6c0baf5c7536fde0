import { describe, expect, test } from 'vitest'
import { isWebSocketUpgrade } from '../../../src/handlers/websocket-upgrade.ts'

const req = (method: string, headers: Record<string, string>) => new Request('http://x/', { method, headers })

describe('isWebSocketUpgrade', () => {
  test('GET with Upgrade: websocket and Connection naming upgrade, in any case and token position', () => {
    expect(isWebSocketUpgrade(req('GET', { upgrade: 'websocket', connection: 'Upgrade' }))).toBe(true)
    expect(isWebSocketUpgrade(req('GET', { upgrade: 'WebSocket', connection: 'keep-alive, Upgrade' }))).toBe(true)
  })

  test('not without both fields, nor for another protocol or method', () => {
    expect(isWebSocketUpgrade(req('GET', { upgrade: 'websocket' }))).toBe(false)
    expect(isWebSocketUpgrade(req('GET', { connection: 'upgrade' }))).toBe(false)
    expect(isWebSocketUpgrade(req('GET', { upgrade: 'h2c', connection: 'upgrade' }))).toBe(false)
    expect(isWebSocketUpgrade(req('POST', { upgrade: 'websocket', connection: 'upgrade' }))).toBe(false)
    expect(isWebSocketUpgrade(req('GET', { upgrade: 'websocket', connection: 'upgraded' }))).toBe(false)
  })
})
