/**
 * Bounds one target's requests: at most `concurrency` in flight and at most `ratePerSecond` started per
 * second (evenly spaced, so a burst of events becomes a steady stream). Waiters queue in order and leave
 * the queue when their signal aborts (the attempt timed out or the engine stopped).
 */
export class RequestLimiter {
  readonly #concurrency: number
  readonly #spacingMs: number
  #active = 0
  #nextStart = 0
  readonly #queue: Array<{ go: () => void }> = []

  constructor(concurrency: number | undefined, ratePerSecond: number | undefined) {
    this.#concurrency = concurrency ?? Infinity
    this.#spacingMs = ratePerSecond === undefined ? 0 : 1000 / ratePerSecond
  }

  /** Resolves with a release function once the request may start; rejects with the signal's reason. */
  async acquire(signal: AbortSignal | undefined): Promise<() => void> {
    // A released slot passes straight to the first waiter, so a newcomer can never slip in between.
    if (this.#active >= this.#concurrency || this.#queue.length > 0) await this.#wait(signal)
    else this.#active++
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      const next = this.#queue.shift()
      if (next === undefined) this.#active--
      else next.go()
    }
    if (this.#spacingMs > 0) {
      const now = Date.now()
      const start = Math.max(now, this.#nextStart)
      this.#nextStart = start + this.#spacingMs
      if (start > now) {
        try {
          await sleep(start - now, signal)
        } catch (error) {
          release()
          throw error
        }
      }
    }
    return release
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry = {
        go: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = (): void => {
        const at = this.#queue.indexOf(entry)
        if (at >= 0) this.#queue.splice(at, 1)
        reject(signal?.reason)
      }
      if (signal?.aborted) return reject(signal.reason)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#queue.push(entry)
    })
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
