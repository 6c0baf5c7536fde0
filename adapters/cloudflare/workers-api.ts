/**
 * Types of the Workers bindings Portico uses (KV, Durable Objects) — declared here rather than
 * pulling @cloudflare/workers-types, whose globals clash with the DOM/Bun types of this repo.
 * @module
 */

export interface DurableObjectStorage {
  get<T>(key: string): Promise<T | undefined>
  put<T>(key: string, value: T): Promise<void>
  delete(key: string): Promise<boolean>
  list<T>(options?: { start?: string; startAfter?: string; limit?: number; prefix?: string }): Promise<Map<string, T>>
  getAlarm(): Promise<number | null>
  setAlarm(scheduledTime: number): Promise<void>
}

export interface DurableObjectState {
  storage: DurableObjectStorage
}

export type DurableObjectId = object

export interface DurableObjectNamespace<Stub = unknown> {
  idFromName(name: string): DurableObjectId
  get(id: DurableObjectId): Stub
}

export interface KVNamespace {
  get(key: string): Promise<string | null>
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>
  delete(key: string): Promise<void>
}
