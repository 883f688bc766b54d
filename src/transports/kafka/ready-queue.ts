import type { Entry } from './kafka-delivery.js'

/**
 * The records a group member has received and not handed out: ready ones in arrival order; later
 * records of a key, held back while an earlier one of that key is unsettled or parked for retry; and
 * delayed retries, held until they are due. Keys are told apart per partition number, which a
 * topic and its retry topic share.
 */
export class ReadyQueue {
  #ready: Entry[] = []
  readonly #waiting = new Map<string, Entry[]>()
  readonly #busyKeys = new Set<string>()
  readonly #delayed = new Map<Entry, NodeJS.Timeout>()
  readonly #owns: (entry: Entry) => boolean
  readonly #wake: () => void

  /** `owns` says whether the entry's partition is still this member's; `wake` is called when one becomes ready. */
  constructor(owns: (entry: Entry) => boolean, wake: () => void) {
    this.#owns = owns
    this.#wake = wake
  }

  get length(): number {
    return this.#ready.length
  }

  /** The next ready entry of a partition this member still owns. */
  shift(): Entry | undefined {
    for (let entry = this.#ready.shift(); entry !== undefined; entry = this.#ready.shift()) {
      if (this.#owns(entry)) return entry
    }
    return undefined
  }

  /** An entry whose lease ran out goes first. */
  unshift(entry: Entry): void {
    this.#ready.unshift(entry)
    this.#wake()
  }

  /**
   * A received record: held until `notBefore` if that is still ahead, then admitted. A record of a
   * key waits while an earlier one of its key is out; a retried record is that earlier one, so it
   * goes ahead (and holds its key).
   */
  receive(entry: Entry, notBefore: number | undefined): void {
    this.#later(entry, notBefore, () => this.#admit(entry))
  }

  /** An entry this member keeps for another attempt (its key stays held), after `notBefore`. */
  retry(entry: Entry, notBefore: number | undefined): void {
    this.#later(entry, notBefore, () => this.#push(entry))
  }

  /** The entry was acked: the next record of its key, if one waits, may go. */
  release(entry: Entry): void {
    if (entry.key === undefined) return
    const busy = busyKey(entry)
    this.#busyKeys.delete(busy)
    const queue = this.#waiting.get(busy)
    const next = queue?.shift()
    if (queue !== undefined && queue.length === 0) this.#waiting.delete(busy)
    if (next !== undefined) this.#admit(next)
  }

  /** Forgets entries and held keys of partitions this member no longer owns. */
  dropRevoked(ownsPartition: (partition: number) => boolean): void {
    this.#ready = this.#ready.filter((entry) => this.#owns(entry))
    for (const [key, queue] of this.#waiting) {
      const kept = queue.filter((entry) => this.#owns(entry))
      if (kept.length === 0) this.#waiting.delete(key)
      else this.#waiting.set(key, kept)
    }
    for (const [entry, timer] of this.#delayed) {
      if (this.#owns(entry)) continue
      clearTimeout(timer)
      this.#delayed.delete(entry)
    }
    for (const busy of this.#busyKeys) {
      if (!ownsPartition(Number(busy.slice(0, busy.indexOf('\0'))))) this.#busyKeys.delete(busy)
    }
  }

  /** Stops the timers of delayed entries. */
  clear(): void {
    for (const timer of this.#delayed.values()) clearTimeout(timer)
    this.#delayed.clear()
  }

  #later(entry: Entry, notBefore: number | undefined, then: () => void): void {
    const wait = notBefore === undefined ? 0 : notBefore - Date.now()
    if (wait <= 0) {
      then()
      return
    }
    const timer = setTimeout(() => {
      this.#delayed.delete(entry)
      if (this.#owns(entry)) then()
    }, wait)
    this.#delayed.set(entry, timer)
  }

  #admit(entry: Entry): void {
    if (entry.key !== undefined) {
      const busy = busyKey(entry)
      if (entry.original && this.#busyKeys.has(busy)) {
        const queue = this.#waiting.get(busy)
        if (queue === undefined) this.#waiting.set(busy, [entry])
        else queue.push(entry)
        return
      }
      this.#busyKeys.add(busy)
    }
    this.#push(entry)
  }

  #push(entry: Entry): void {
    this.#ready.push(entry)
    this.#wake()
  }
}

function busyKey(entry: Entry): string {
  return `${entry.partition}\0${entry.key}`
}
