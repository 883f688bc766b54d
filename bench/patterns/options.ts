/**
 * Command-line flags of `npm run bench:patterns` (after `--`). The full run takes a few minutes on two cores;
 * `--quick` (or BENCH_QUICK=1) is a smoke run of well under a minute whose figures are noisier.
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { CONTENDER_NAMES, type ContenderName } from './contenders.js'
import type { TimingOptions } from './measure.js'

export const EVENT_RULER_NAMES = ['event-ruler-text', 'event-ruler-tree'] as const
export type EventRulerName = (typeof EVENT_RULER_NAMES)[number]
export type AnyContender = ContenderName | EventRulerName
export const ALL_CONTENDERS: readonly AnyContender[] = [...CONTENDER_NAMES, ...EVENT_RULER_NAMES]

export interface BenchOptions {
  readonly sizes: readonly number[]
  readonly contenders: readonly AnyContender[]
  readonly events: number
  readonly matchingShare: number
  readonly seed: number
  readonly outDir: string
  readonly timing: TimingOptions
}

export const USAGE = `usage: npm run bench:patterns -- [--quick] [--sizes 1,100,1000,10000] [--contenders a,b]
       [--events N] [--seed N] [--out DIR] [--no-event-ruler]
contenders: ${ALL_CONTENDERS.join(', ')}`

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      contenders: { type: 'string' },
      events: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'no-event-ruler': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) throw new UsageError(USAGE)
  const quick = values.quick || env['BENCH_QUICK'] === '1'
  let contenders = values.contenders ? list(values.contenders).map(contenderName) : [...ALL_CONTENDERS]
  if (values['no-event-ruler']) contenders = contenders.filter((name) => !name.startsWith('event-ruler'))
  return {
    sizes: values.sizes ? list(values.sizes).map((size) => positiveInteger(size, '--sizes')) : [1, 100, 1000, 10_000],
    contenders,
    events: values.events ? positiveInteger(values.events, '--events') : quick ? 2000 : 10_000,
    matchingShare: 0.1,
    seed: values.seed ? positiveInteger(values.seed, '--seed') : 20_261_204,
    outDir: values.out ?? fileURLToPath(new URL('../results/patterns/', import.meta.url)),
    timing: quick
      ? { warmupMs: 500, repetitionMs: 150, repetitions: 5, verifyEvents: 200, verifyBudgetMs: 1000 }
      : { warmupMs: 2000, repetitionMs: 500, repetitions: 5, verifyEvents: 1000, verifyBudgetMs: 4000 },
  }
}

export class UsageError extends Error {}

function list(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item.length > 0)
}

function contenderName(name: string): AnyContender {
  const found = ALL_CONTENDERS.find((candidate) => candidate === name)
  if (!found) throw new UsageError(`unknown contender '${name}'; choose from ${ALL_CONTENDERS.join(', ')}`)
  return found
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text.replaceAll('_', ''))
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} needs positive integers, got '${text}'`)
  return value
}
