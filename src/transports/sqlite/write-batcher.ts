import type { Database } from 'better-sqlite3'
import { ErrorCodes, SepalError } from '../../errors.js'

interface Queued {
  readonly work: () => void
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * Group commit: writes asked for in the same turn of the event loop run in one transaction, and each
 * caller's promise settles after that commit. Many concurrent publishes (or acks) then cost one
 * commit, which is what makes the embedded log fast.
 */
export class WriteBatcher {
  #queue: Queued[] = []
  #scheduled = false
  #closed = false
  readonly #what: string
  readonly #commit: { immediate(batch: readonly Queued[], then: () => unknown): unknown }

  constructor(db: Database, what: string) {
    this.#what = what
    this.#commit = db.transaction((batch: readonly Queued[], then: () => unknown) => {
      for (const queued of batch) queued.work()
      return then()
    })
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Runs `work` inside the next group commit; resolves once that commit is durable. */
  run(work: () => void): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new SepalError(ErrorCodes.CLOSED, `${this.#what} is closed; open a new transport`))
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ work, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /** Commits everything queued now. */
  flush(): void {
    this.#scheduled = false
    if (this.#queue.length === 0) return
    try {
      this.flushWith(() => undefined)
    } catch {
      // Every caller in the batch has been rejected with the cause.
    }
  }

  /**
   * Runs `work` in one transaction together with everything queued, so a fetch also commits the acks
   * waiting for the next group commit: one commit per batch instead of two, and settled leases are
   * gone before the fetch looks for visible ones.
   */
  flushWith<T>(work: () => T): T {
    const batch = this.#queue
    this.#queue = []
    let result: T
    try {
      result = this.#commit.immediate(batch, work) as T
    } catch (cause) {
      const error = new SepalError(
        ErrorCodes.TRANSPORT_UNAVAILABLE,
        `${this.#what} could not commit a write: ${String((cause as Error).message ?? cause)}; ` +
          'check that the disk has room, the file is writable, and no other process holds its write lock past busyTimeoutMs',
        { cause },
      )
      for (const queued of batch) queued.reject(error)
      throw error
    }
    for (const queued of batch) queued.resolve()
    return result
  }

  /** Commits what is queued and refuses later writes. */
  close(): void {
    this.flush()
    this.#closed = true
  }
}
