/**
 * The offsets of one partition that this member received and has not yet committed. Kafka keeps one
 * committed position per partition and group, so a settle may only move it past offsets that are all
 * settled: an ack out of order never commits past an event still in flight. Offsets arrive in
 * increasing order (with gaps where the log has control records or compacted entries).
 */
export class OffsetTracker {
  /** Received offsets from the oldest unsettled one on, with whether each is settled. */
  readonly #offsets: bigint[] = []
  readonly #settled = new Set<bigint>()
  #head = 0
  /** One past the highest offset received; where the committed position goes when all are settled. */
  #end: bigint | undefined
  #committed: bigint | undefined

  /**
   * Offsets below `offset` are not taken: the member reads this partition from there (its committed
   * position), so anything older is a stale record of an earlier assignment.
   */
  startAt(offset: bigint): void {
    if (this.#end === undefined) this.#end = offset
  }

  /** Records `offset` as received; false if it was already received (a re-fetch after a rejoin). */
  receive(offset: bigint): boolean {
    if (this.#end !== undefined && offset < this.#end) return false
    this.#offsets.push(offset)
    this.#end = offset + 1n
    return true
  }

  /** Marks `offset` settled (acked, or nacked and re-published). */
  settle(offset: bigint): void {
    if (this.#end === undefined || offset >= this.#end) return
    this.#settled.add(offset)
  }

  /** The position to commit now if it moved since the last call, else undefined. */
  commitPoint(): bigint | undefined {
    while (this.#head < this.#offsets.length) {
      const offset = this.#offsets[this.#head]!
      if (!this.#settled.delete(offset)) break
      this.#head++
    }
    if (this.#head > 1024 && this.#head * 2 > this.#offsets.length) {
      this.#offsets.splice(0, this.#head)
      this.#head = 0
    }
    const point = this.#head < this.#offsets.length ? this.#offsets[this.#head] : this.#end
    if (point === undefined || point === this.#committed) return undefined
    return point
  }

  /** The broker has this position; a later `commitPoint()` only answers when it moves again. */
  committed(point: bigint): void {
    if (this.#committed === undefined || point > this.#committed) this.#committed = point
  }

  /** Received offsets that are not settled yet. */
  get unsettled(): number {
    return this.#offsets.length - this.#head - this.#settled.size
  }
}
