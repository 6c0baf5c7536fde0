/** `runtime.schedule` for server runtimes: an interval that does not keep the process alive. */
export function schedule(everyMs: number, fn: () => void): () => void {
  const timer = setInterval(fn, everyMs)
  // Node and Bun timers can be unref'd; Deno's are numbers (the process exits on signals anyway).
  ;(timer as { unref?: () => void }).unref?.()
  return () => clearInterval(timer)
}
