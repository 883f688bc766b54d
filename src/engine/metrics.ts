import { OptionsError } from '../errors.js'

export type MetricLabels = Readonly<Record<string, string>>

/** One counter series: a name plus a fixed set of labels. Kept by callers on hot paths. */
export interface Counter {
  readonly name: string
  readonly labels: MetricLabels
  readonly value: number
  inc(by?: number): void
}

export interface CounterSample {
  readonly name: string
  readonly labels: MetricLabels
  readonly value: number
}

/** Monotonic counters, enough for "how many received / matched / failed". Not a histogram library. */
export interface Metrics {
  /** Adds `by` (default 1) to the series `name{labels}`, creating it at 0 first. */
  increment(name: string, labels?: MetricLabels, by?: number): void
  /** The series itself, for callers that bump it per event and want to skip the lookup. */
  counter(name: string, labels?: MetricLabels): Counter
  /** Every series, sorted by name then labels. */
  snapshot(): readonly CounterSample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const NO_LABELS: MetricLabels = Object.freeze({})

class CounterSeries implements Counter {
  value = 0
  constructor(readonly name: string, readonly labels: MetricLabels) {}
  inc(by = 1): void {
    // Counters only go up; a negative or non-finite bump would corrupt every later rate().
    if (!(by >= 0) || !Number.isFinite(by)) throw new OptionsError(`counter increment must be a finite number >= 0, got ${String(by)}`)
    this.value += by
  }
}

export function createMetrics(): Metrics {
  const series = new Map<string, CounterSeries>()

  function counter(name: string, labels: MetricLabels = NO_LABELS): Counter {
    const key = seriesKey(name, labels)
    let found = series.get(key)
    if (found === undefined) {
      validate(name, labels)
      found = new CounterSeries(name, Object.freeze({ ...labels }))
      series.set(key, found)
    }
    return found
  }

  return {
    counter,
    increment(name, labels, by) {
      counter(name, labels).inc(by)
    },
    snapshot() {
      return [...series.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, s]) => ({ name: s.name, labels: s.labels, value: s.value }))
    },
  }
}

/**
 * The Prometheus text exposition format (version 0.0.4), which `GET /metrics` serves. Every series is
 * a counter; label values are escaped as the format requires (backslash, double quote, newline).
 */
export function renderPrometheus(metrics: Metrics | readonly CounterSample[]): string {
  const samples = 'snapshot' in metrics ? metrics.snapshot() : metrics
  const lines: string[] = []
  let current: string | undefined
  for (const sample of samples) {
    if (sample.name !== current) {
      current = sample.name
      lines.push(`# TYPE ${sample.name} counter`)
    }
    lines.push(`${sample.name}${renderLabels(sample.labels)} ${sample.value}`)
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

function renderLabels(labels: MetricLabels): string {
  const names = Object.keys(labels).sort()
  if (names.length === 0) return ''
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n] ?? '')}"`).join(',')}}`
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** Label order must not make two series: `{a,b}` and `{b,a}` are the same one. */
function seriesKey(name: string, labels: MetricLabels): string {
  const names = Object.keys(labels)
  if (names.length === 0) return name
  if (names.length > 1) names.sort()
  let key = name
  for (const n of names) key += `\u0000${n}\u0001${labels[n]}`
  return key
}

function validate(name: string, labels: MetricLabels): void {
  if (!METRIC_NAME.test(name)) {
    throw new OptionsError(`metric name "${name}" is not valid: use letters, digits, "_" and ":", not starting with a digit`)
  }
  for (const [label, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(label) || label.startsWith('__')) {
      throw new OptionsError(`metric label name "${label}" is not valid: use letters, digits and "_", not starting with a digit or "__"`)
    }
    if (typeof value !== 'string') throw new OptionsError(`metric label "${label}" must be a string, got ${typeof value}`)
  }
}
