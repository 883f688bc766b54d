/** The median: the figure every benchmark reports, since this machine is noisy. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export interface Sample {
  /** Events (or requests) per wall-clock second. */
  readonly rate: number
  /** CPU time (user + system) per event in µs: steadier than wall time on a busy machine. */
  readonly cpuMicros: number
}

/** Starts the clocks; the returned function stops them for `count` units of work. */
export function sampler(count: number): () => Sample {
  const started = performance.now()
  const cpu = process.cpuUsage()
  return () => {
    const used = process.cpuUsage(cpu)
    return { rate: count / ((performance.now() - started) / 1000), cpuMicros: (used.user + used.system) / count }
  }
}
