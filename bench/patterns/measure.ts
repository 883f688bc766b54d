/**
 * The timing loop shared by every node contender, mirrored by the event-ruler harness: verify on the first events
 * (within a time budget),
 * warm up for a fixed time, size a repetition from the warm-up rate (so a slow contender runs fewer events rather
 * than longer), then time the repetitions and keep the median.
 */
export interface TimingOptions {
  readonly warmupMs: number
  readonly repetitionMs: number
  readonly repetitions: number
  readonly verifyEvents: number
  /** Verification stops at the next checkpoint after this long, so slow contenders verify fewer events. */
  readonly verifyBudgetMs: number
}

/** Verification records its running totals every this many events, so contenders compare on a common prefix. */
export const CHECKPOINT_EVERY = 100

export interface Verification {
  readonly events: number
  /** Events with at least one matching rule. */
  readonly matchedEvents: number
  /** Matching (event, rule) pairs. */
  readonly matchedRules: number
  /** FNV-1a over `index:ruleId;` for every match, ids sorted per event: equal checksums, equal answers. */
  readonly checksum: number
}

export interface Timing {
  /** Median over repetitions of events per wall-clock second. */
  readonly eventsPerSecond: number
  readonly samples: readonly number[]
  /** Median of events per second of process CPU time: steadier than wall time when the machine is shared. */
  readonly eventsPerCpuSecond: number
  readonly cpuSamples: readonly number[]
  readonly eventsPerRepetition: number
  /** Running totals at every checkpoint; the last one covers every verified event. */
  readonly verify: readonly Verification[]
}

/** Matches event `index` and returns the ids of the matching rules. */
export type Step = (index: number) => readonly string[]

export function measure(step: Step, eventCount: number, options: TimingOptions): Timing {
  const verify = verifyMatches(step, Math.min(eventCount, options.verifyEvents), options.verifyBudgetMs)
  let sink = 0
  let cursor = 0
  let warmed = 0
  const warmupStart = performance.now()
  while (performance.now() - warmupStart < options.warmupMs) {
    for (let k = 0; k < 16; k++) {
      sink += step(cursor).length
      cursor = (cursor + 1) % eventCount
      warmed++
    }
  }
  const warmRate = warmed / ((performance.now() - warmupStart) / 1000)
  const eventsPerRepetition = Math.max(1, Math.ceil((warmRate * options.repetitionMs) / 1000))

  const samples: number[] = []
  const cpuSamples: number[] = []
  for (let r = 0; r < options.repetitions; r++) {
    const cpuStart = process.cpuUsage()
    const start = performance.now()
    for (let n = 0; n < eventsPerRepetition; n++) {
      sink += step(cursor).length
      cursor = (cursor + 1) % eventCount
    }
    samples.push(eventsPerRepetition / ((performance.now() - start) / 1000))
    const cpu = process.cpuUsage(cpuStart)
    cpuSamples.push(eventsPerRepetition / Math.max((cpu.user + cpu.system) / 1e6, 1e-6))
  }
  if (sink < 0) console.error('unreachable: keeps the matched counts alive')
  return {
    eventsPerSecond: median(samples), samples, eventsPerCpuSecond: median(cpuSamples), cpuSamples, eventsPerRepetition, verify,
  }
}

export function verifyMatches(step: Step, events: number, budgetMs: number): Verification[] {
  const checkpoints: Verification[] = []
  const start = performance.now()
  let matchedEvents = 0
  let matchedRules = 0
  let checksum = 0x811c9dc5
  for (let i = 0; i < events; i++) {
    const ids = [...step(i)].sort()
    if (ids.length > 0) matchedEvents++
    matchedRules += ids.length
    for (const id of ids) checksum = fnv(checksum, `${i}:${id};`)
    if ((i + 1) % CHECKPOINT_EVERY === 0 || i + 1 === events) {
      checkpoints.push({ events: i + 1, matchedEvents, matchedRules, checksum })
      if (performance.now() - start > budgetMs) break
    }
  }
  return checkpoints
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

function fnv(hash: number, text: string): number {
  let h = hash
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 16777619)
  }
  return h >>> 0
}
