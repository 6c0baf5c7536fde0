import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../../src/store/memory-store.ts'
import { runStoreSuite } from '../../stores/run-store-suite.ts'

runStoreSuite('memory', () => createMemoryStore())

describe('memory store bounds', () => {
  it('holds at most maxKeys under a flood of distinct keys (least recently used evicted)', async () => {
    const store = createMemoryStore({ maxKeys: 1000 })
    const size = () => (store as unknown as { size: number }).size
    await store.set('keep', 'v')
    for (let i = 0; i < 50_000; i++) {
      await store.limit(`ip:${i}`, { algorithm: 'gcra', limit: 5, rate: 1, periodMs: 1000 })
      if (i % 100 === 0) await store.get('keep') // used often: stays
    }
    expect(size()).toBeLessThanOrEqual(1000)
    expect(await store.get('keep')).toBe('v')
    expect(await store.get('ip:0')).toBeNull()
  })

  it('drops expired entries before evicting live ones', async () => {
    let now = 1_000_000
    const store = createMemoryStore({ maxKeys: 3, now: () => now })
    await store.set('short', '1', 10)
    await store.set('live1', '1')
    await store.set('live2', '1')
    now += 20
    await store.set('live3', '1')
    expect(await store.get('live1')).toBe('1')
    expect(await store.get('live2')).toBe('1')
    expect(await store.get('live3')).toBe('1')
  })
})
