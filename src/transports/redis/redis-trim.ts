import type { Redis } from 'ioredis'

export interface TrimWarning {
  readonly stream: string
  /** Entries in the stream after trimming what every group has acked. */
  readonly length: number
  readonly maxLength: number
  /** The groups that hold the oldest entry still needed, with their unread and unacked counts. */
  readonly groups: ReadonlyArray<{ readonly group: string; readonly lag: number | null; readonly pending: number }>
  readonly message: string
}

interface GroupState {
  readonly name: string
  readonly pending: number
  readonly lastDeliveredId: string
  readonly lag: number | null
  floor: string
}

/**
 * Keeps topic streams near `maxLength` without dropping what a group still needs. Plain
 * `XADD MAXLEN` trims by count alone, so a lagging group would silently lose unread entries; instead,
 * a stream found longer than `maxLength` is trimmed with `XTRIM MINID` below the oldest entry any
 * group still needs (its oldest pending entry, or the entry after its last delivered one). When that
 * leaves the stream longer than `maxLength`, the lagging groups are reported, at most once a minute.
 */
export class TrimGuard {
  readonly #dirty = new Set<string>()
  readonly #warnedAt = new Map<string, number>()
  readonly #timer: NodeJS.Timeout
  #running = false

  constructor(
    private readonly commands: Redis,
    private readonly maxLength: number,
    private readonly onWarning: (warning: TrimWarning) => void,
    checkEveryMs = 1_000,
  ) {
    this.#timer = setInterval(() => void this.checkNow(), checkEveryMs)
    this.#timer.unref()
  }

  published(stream: string): void {
    this.#dirty.add(stream)
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** Checks every stream published to since the last check. */
  async checkNow(): Promise<void> {
    if (this.#running) return
    this.#running = true
    try {
      const streams = [...this.#dirty]
      this.#dirty.clear()
      for (const stream of streams) await this.#check(stream).catch(() => this.#dirty.add(stream))
    } finally {
      this.#running = false
    }
  }

  async #check(stream: string): Promise<void> {
    if ((await this.commands.xlen(stream)) <= this.maxLength) return
    const groups = await this.#groups(stream)
    if (groups.length === 0) {
      // Nobody reads the topic yet: nothing unconsumed can be lost, so the count alone decides.
      await this.commands.xtrim(stream, 'MAXLEN', '~', this.maxLength)
      return
    }
    const floor = groups.map((g) => g.floor).reduce((a, b) => (compareIds(a, b) <= 0 ? a : b))
    await this.commands.xtrim(stream, 'MINID', floor)
    const length = await this.commands.xlen(stream)
    if (length <= this.maxLength) return
    const last = this.#warnedAt.get(stream) ?? 0
    if (Date.now() - last < 60_000) return
    this.#warnedAt.set(stream, Date.now())
    const lagging = groups.filter((g) => g.floor === floor).map((g) => ({ group: g.name, lag: g.lag, pending: g.pending }))
    const names = lagging.map((g) => `"${g.group}" (unread ${g.lag ?? 'unknown'}, unacked ${g.pending})`).join(', ')
    this.onWarning({
      stream,
      length,
      maxLength: this.maxLength,
      groups: lagging,
      message: `redis stream "${stream}" holds ${length} entries, more than maxLength ${this.maxLength}, because group ${names} has not consumed them; they are kept, not trimmed: add consumers to the group or delete the group if it is abandoned`,
    })
  }

  async #groups(stream: string): Promise<GroupState[]> {
    const raw = (await this.commands.xinfo('GROUPS', stream)) as unknown[][]
    const groups: GroupState[] = []
    for (const fields of raw) {
      const info = new Map<string, unknown>()
      for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1])
      const lag = info.get('lag')
      const group: GroupState = {
        name: String(info.get('name')),
        pending: Number(info.get('pending') ?? 0),
        lastDeliveredId: String(info.get('last-delivered-id') ?? '0-0'),
        lag: lag === null || lag === undefined ? null : Number(lag),
        floor: String(info.get('last-delivered-id') ?? '0-0'),
      }
      if (group.pending > 0) {
        const summary = (await this.commands.xpending(stream, group.name)) as [number, string | null, string | null, unknown]
        const oldest = summary[1]
        if (oldest !== null && compareIds(oldest, group.floor) < 0) group.floor = oldest
      }
      groups.push(group)
    }
    return groups
  }
}

/** Orders stream ids `ms-seq` numerically. */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt)
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt)
  if (am !== bm) return am < bm ? -1 : 1
  return as === bs ? 0 : as < bs ? -1 : 1
}
