/**
 * Runs tasks so that tasks sharing a key run one at a time in the order they were submitted, while
 * tasks of different keys run in parallel up to `concurrency`. A task that is waiting to retry simply
 * has not finished yet, so it holds its key — later tasks of that key wait, and only they.
 */
export interface KeySequencer {
  /** `key` undefined: no ordering, only the concurrency limit. */
  run<T>(key: string | undefined, task: () => Promise<T>): Promise<T>
  /** Tasks submitted and not yet finished. */
  readonly pending: number
  /** Resolves when every submitted task has finished. */
  idle(): Promise<void>
}

export function createKeySequencer(options: { concurrency: number }): KeySequencer {
  const concurrency = Math.max(1, Math.floor(options.concurrency))
  const tails = new Map<string, Promise<unknown>>()
  const waiting: Array<() => void> = []
  let running = 0
  let pending = 0
  let idleWaiters: Array<() => void> = []

  function acquire(): Promise<void> {
    if (running < concurrency) {
      running++
      return Promise.resolve()
    }
    return new Promise((resolve) => waiting.push(resolve))
  }

  function releaseSlot(): void {
    const next = waiting.shift()
    if (next) next()
    else running--
  }

  async function limited<T>(task: () => Promise<T>): Promise<T> {
    await acquire()
    try {
      return await task()
    } finally {
      releaseSlot()
    }
  }

  function finished(): void {
    pending--
    if (pending === 0) {
      const waiters = idleWaiters
      idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  return {
    run<T>(key: string | undefined, task: () => Promise<T>): Promise<T> {
      pending++
      if (key === undefined) {
        const result = limited(task)
        result.then(finished, finished)
        return result
      }
      const previous = tails.get(key)
      const result = previous ? previous.then(() => limited(task)) : limited(task)
      const tail = result.then(
        () => undefined,
        () => undefined,
      )
      tails.set(key, tail)
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
        finished()
      })
      return result
    },
    get pending() {
      return pending
    },
    idle() {
      return pending === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))
    },
  }
}
