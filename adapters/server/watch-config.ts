/**
 * Reload on config file change (Node, Bun, Deno — all run node:fs). Editors save in several
 * ways (write in place, write-and-rename, truncate-then-write), so the file's directory is
 * watched and events for the file name are debounced: one reload per burst of changes, after
 * the file has been quiet for `debounceMs`. The reload itself keeps the running config when
 * the new one is invalid (reload.ts).
 * @module
 */
import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname } from 'node:path'

export function watchConfigFile(file: string, onChange: () => void, debounceMs = 300): () => void {
  const name = basename(file)
  let timer: ReturnType<typeof setTimeout> | null = null
  let watcher: FSWatcher
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return
      if (timer !== null) clearTimeout(timer)
      timer = setTimeout(() => {
        timer = null
        onChange()
      }, debounceMs)
    })
  } catch {
    return () => {}
  }
  // A watcher error (directory removed) must not crash the gateway; SIGHUP still works.
  watcher.on('error', () => {})
  return () => {
    if (timer !== null) clearTimeout(timer)
    watcher.close()
  }
}
