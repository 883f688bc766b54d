/**
 * Runs one node contender on one rule set in a fresh process, so contenders do not share JIT feedback or heap,
 * and prints its figures as one JSON line. Started by run.ts with --expose-gc; argument: a JSON WorkerJob.
 */
import { readFileSync } from 'node:fs'
import { buildContender, type BenchRule, type ContenderName } from './contenders.js'
import { measure, type Timing, type TimingOptions } from './measure.js'

export interface WorkerJob {
  readonly contender: ContenderName
  readonly rulesFile: string
  readonly eventsFile: string
  readonly timing: TimingOptions
}

export interface WorkerResult extends Timing {
  readonly compileMs: number
  /** Heap retained by the built matcher (after a full GC), in bytes. */
  readonly heapBytes: number
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as WorkerJob
  const rules = JSON.parse(readFileSync(job.rulesFile, 'utf8')) as BenchRule[]
  const texts = readFileSync(job.eventsFile, 'utf8').split('\n').filter((line) => line.length > 0)
  const objects = job.contender.endsWith('-object') ? texts.map((text) => JSON.parse(text) as object) : []

  const heapBefore = usedHeap()
  const start = performance.now()
  const step = await buildContender(job.contender, { rules, texts, objects })
  const compileMs = performance.now() - start
  const heapBytes = usedHeap() - heapBefore

  const timing = measure(step, texts.length, job.timing)
  const result: WorkerResult = { ...timing, compileMs, heapBytes }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

function usedHeap(): number {
  const collect = (globalThis as { gc?: () => void }).gc
  if (!collect) throw new Error('run the worker with --expose-gc so heap figures are after a full collection')
  collect()
  collect()
  return process.memoryUsage().heapUsed
}

await main()
