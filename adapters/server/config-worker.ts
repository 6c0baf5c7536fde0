/**
 * Worker entry: validates one config file and posts the LoadResult back (config-in-worker.ts).
 * The config is plain data, so it survives the structured clone intact.
 * @module
 */
import { loadConfigFile } from './config-file.ts'

interface WorkerScope {
  onmessage: ((event: MessageEvent<{ file: string; env: Record<string, string | undefined> }>) => void) | null
  postMessage(message: unknown): void
}

const scope = globalThis as unknown as WorkerScope
scope.onmessage = (event) => scope.postMessage(loadConfigFile(event.data.file, event.data.env))
