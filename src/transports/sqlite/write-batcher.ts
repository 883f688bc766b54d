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
  readonly #commit: { immediate(batch: readonly Queued[]): void }

  constructor(db: Database, what: string) {
    this.#what = what
    this.#commit = db.transaction((batch: readonly Queued[]) => {
      for (const queued of batch) queued.work()
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
    const batch = this.#queue
    if (batch.length === 0) return
    this.#queue = []
    try {
      this.#commit.immediate(batch)
    } catch (cause) {
      const error = new SepalError(
        ErrorCodes.TRANSPORT_UNAVAILABLE,
        `${this.#what} could not commit a write: ${String((cause as Error).message ?? cause)}; check the disk and the file's permissions`,
        { cause },
      )
      for (const queued of batch) queued.reject(error)
      return
    }
    for (const queued of batch) queued.resolve()
  }

  /** Commits what is queued and refuses later writes. */
  close(): void {
    this.flush()
    this.#closed = true
  }
}
