/**
 * Turns the measurements into the printed report: events/s per contender and rule count, whether contenders
 * agree on what matched, the ratios issue 2 sets as targets, and compile time and heap.
 */
import type { AnyContender } from './options.js'
import type { WorkerResult } from './worker.js'

export type Results = Map<AnyContender, Map<number, WorkerResult>>

interface Target {
  readonly label: string
  readonly numerator: readonly [AnyContender, number]
  readonly denominator: readonly [AnyContender, number]
  readonly atLeast: number
}

const TARGETS: readonly Target[] = [
  { label: 'compiled / reference, 1,000 rules, text', numerator: ['sepal-compiled-text', 1000], denominator: ['sepal-reference-text', 1000], atLeast: 20 },
  { label: 'compiled / reference, 1,000 rules, object', numerator: ['sepal-compiled-object', 1000], denominator: ['sepal-reference-object', 1000], atLeast: 20 },
  { label: 'compiled 10,000 rules / compiled 1 rule, text', numerator: ['sepal-compiled-text', 10_000], denominator: ['sepal-compiled-text', 1], atLeast: 0.5 },
  { label: 'compiled 10,000 rules / compiled 1 rule, object', numerator: ['sepal-compiled-object', 10_000], denominator: ['sepal-compiled-object', 1], atLeast: 0.5 },
  { label: 'compiled (object) 10,000 rules / JSON.parse', numerator: ['sepal-compiled-object', 10_000], denominator: ['json-parse', 10_000], atLeast: 1 },
  { label: 'compiled (text) 10,000 rules / JSON.parse', numerator: ['sepal-compiled-text', 10_000], denominator: ['json-parse', 10_000], atLeast: 1 },
  { label: 'compiled / event-ruler, 1,000 rules, text', numerator: ['sepal-compiled-text', 1000], denominator: ['event-ruler-text', 1000], atLeast: 1 },
  { label: 'compiled (object) / event-ruler (tree), 1,000 rules', numerator: ['sepal-compiled-object', 1000], denominator: ['event-ruler-tree', 1000], atLeast: 1 },
]

/** Which figure a table or ratio reads: wall-clock throughput, or throughput per second of process CPU time. */
interface Metric {
  readonly title: string
  readonly rate: (result: WorkerResult) => number
  readonly samples: (result: WorkerResult) => readonly number[]
}

const WALL: Metric = { title: 'events/s', rate: (r) => r.eventsPerSecond, samples: (r) => r.samples }
const CPU: Metric = { title: 'events/CPU-s', rate: (r) => r.eventsPerCpuSecond, samples: (r) => r.cpuSamples }

export function formatReport(results: Results, sizes: readonly number[]): string {
  const lines: string[] = [
    ...formatTable(results, sizes, WALL),
    '',
    ...formatTable(results, sizes, CPU),
    `(~: the fastest repetition was more than ${NOISY_SPREAD}x the slowest; the machine was busy, rerun to confirm.`,
    ' events/CPU-s counts only the time the process ran, so it moves less when other work shares the machine.)',
  ]

  lines.push('', 'agreement on the first events (events matched / rule matches; equal checksums mean equal answers):')
  for (const size of sizes) {
    const verified = [...results]
      .filter(([name]) => name !== 'json-parse')
      .map(([name, bySize]) => [name, bySize.get(size)?.verify ?? []] as const)
      .filter(([, checkpoints]) => checkpoints.length > 0)
    // Slow contenders verify fewer events: compare everyone on the prefix all of them covered.
    const common = Math.min(...verified.map(([, checkpoints]) => checkpoints[checkpoints.length - 1]!.events))
    const groups = new Map<string, string[]>()
    for (const [name, checkpoints] of verified) {
      const at = checkpoints.find((checkpoint) => checkpoint.events === common)
      const key = at
        ? `${at.matchedEvents}/${at.events} events, ${at.matchedRules} matches, #${at.checksum.toString(16)}`
        : `no checkpoint at ${common} events`
      groups.set(key, [...(groups.get(key) ?? []), name])
    }
    const verdict = groups.size <= 1 ? 'all agree' : 'DIFFER'
    lines.push(`  ${size.toLocaleString('en-US')} rules: ${verdict}`)
    for (const [key, names] of groups) lines.push(`    ${key}: ${names.join(', ')}`)
  }

  lines.push('', `targets (issue 2)${' '.repeat(39)}by events/s   by events/CPU-s`)
  for (const target of TARGETS) {
    const cells = [WALL, CPU].map((metric) => {
      const top = results.get(target.numerator[0])?.get(target.numerator[1])
      const bottom = results.get(target.denominator[0])?.get(target.denominator[1])
      if (top === undefined || bottom === undefined) return 'n/a'.padStart(15)
      const ratio = metric.rate(top) / metric.rate(bottom)
      return `${ratio.toFixed(2)}x ${ratio >= target.atLeast ? 'met' : 'MISSED'}`.padStart(15)
    })
    lines.push(`  ${target.label.padEnd(52)} ${cells.join(' ')}   (target >= ${target.atLeast}x)`)
  }

  lines.push('', 'compile time and retained heap (after a full GC):')
  for (const name of ['sepal-compiled-text', 'sepal-reference-text', 'event-ruler-text'] as const) {
    const bySize = results.get(name)
    if (!bySize) continue
    const cells = sizes.map((size) => {
      const result = bySize.get(size)
      return result ? `${result.compileMs.toFixed(1)} ms / ${formatBytes(result.heapBytes)}` : 'n/a'
    })
    lines.push(`  ${name.replace(/-text$/, '').padEnd(20)} ${sizes.map((size, i) => `${size}: ${cells[i]}`).join('; ')}`)
  }
  return lines.join('\n')
}

const NOISY_SPREAD = 1.5

function formatTable(results: Results, sizes: readonly number[], metric: Metric): string[] {
  const nameWidth = Math.max(24, ...[...results.keys()].map((name) => name.length))
  const header = [metric.title.padEnd(nameWidth), ...sizes.map((size) => `${size.toLocaleString('en-US')} rules`.padStart(14))]
  const lines = [header.join(' '), '-'.repeat(header.join(' ').length)]
  for (const [name, bySize] of results) {
    const cells = sizes.map((size) => {
      const result = bySize.get(size)
      if (!result) return 'n/a'.padStart(14)
      const noisy = spread(metric.samples(result)) > NOISY_SPREAD
      return `${formatRate(metric.rate(result))}${noisy ? ' ~' : '  '}`.padStart(14)
    })
    lines.push([name.padEnd(nameWidth), ...cells].join(' '))
  }
  return lines
}

function spread(samples: readonly number[]): number {
  return Math.max(...samples) / Math.min(...samples)
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`
  return perSecond.toFixed(1)
}

function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  return `${(bytes / 1024).toFixed(0)} KiB`
}
