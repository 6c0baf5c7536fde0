/**
 * Request hedging (Runway `retry_policy.hedging`): if the first try has not answered within
 * `delay`, another try goes to another backend; the first good answer wins and every other try
 * is cancelled upstream ("The Tail at Scale", Dean & Barroso 2013). A try that fails early
 * launches the next one at once. Only for retryable methods with a replayable body.
 * @module
 */

export interface HedgingConfig {
  enabled: boolean
  max_requests: number
  delay: number
}

/** One try: resolves its Response (or null) or rejects; `signal` cancels it. */
export type HedgeTry = (index: number, signal: AbortSignal) => Promise<Response>

export function hedge(cfg: HedgingConfig, isGood: (res: Response) => boolean, run: HedgeTry): Promise<Response> {
  return new Promise((resolve, reject) => {
    const controllers: AbortController[] = []
    let pending = 0
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let lastRes: Response | undefined
    let lastErr: unknown

    const settle = (fn: () => void) => {
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      fn()
    }
    const finishIfDone = () => {
      if (settled || pending > 0 || controllers.length < cfg.max_requests) return
      settle(() => (lastRes !== undefined ? resolve(lastRes) : reject(lastErr)))
    }
    const launch = () => {
      if (settled || controllers.length >= cfg.max_requests) return
      const ac = new AbortController()
      controllers.push(ac)
      const index = controllers.length - 1
      pending++
      if (controllers.length < cfg.max_requests) timer = setTimeout(launch, cfg.delay)
      run(index, ac.signal).then(
        (res) => {
          pending--
          if (settled) return void res?.body?.cancel().catch(() => {})
          if (isGood(res)) {
            for (const other of controllers) if (other !== ac) other.abort(new Error('hedge lost'))
            return settle(() => resolve(res))
          }
          lastRes?.body?.cancel().catch(() => {})
          lastRes = res
          launch() // a bad answer early: hedge now instead of waiting for the timer
          finishIfDone()
        },
        (err) => {
          pending--
          lastErr = err
          if (settled) return
          launch()
          finishIfDone()
        },
      )
    }
    launch()
  })
}
