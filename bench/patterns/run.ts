/**
 * `npm run bench:patterns`: writes seeded rule sets and events to bench/results/patterns/, runs every contender on
 * them one after another (each in its own process: a node worker or a JVM), then prints the events/s table, the
 * agreement check, the target ratios and compile cost, and saves the raw figures as results.json.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ContenderName } from './contenders.js'
import { buildEventRuler, runEventRuler } from './event-ruler.js'
import { generateEvents, generateRules } from './generate.js'
import { parseOptions, UsageError, type BenchOptions } from './options.js'
import { formatRate, formatReport, type Results } from './report.js'
import type { WorkerJob, WorkerResult } from './worker.js'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))

interface InputFiles {
  readonly rulesFile: string
  readonly eventsFile: string
}

function writeInputs(options: BenchOptions): Map<number, InputFiles> {
  mkdirSync(options.outDir, { recursive: true })
  const files = new Map<number, InputFiles>()
  for (const size of options.sizes) {
    const rules = generateRules(size, options.seed + size)
    const events = generateEvents(rules, options.events, options.matchingShare, options.seed + size + 1)
    const rulesFile = join(options.outDir, `rules-${size}.json`)
    const eventsFile = join(options.outDir, `events-${size}.jsonl`)
    writeFileSync(rulesFile, JSON.stringify(rules.map(({ id, pattern }) => ({ id, pattern }))))
    writeFileSync(eventsFile, `${events.texts.join('\n')}\n`)
    const averageBytes = events.texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / events.texts.length
    console.error(`inputs: ${size} rules, ${events.texts.length} events of ${averageBytes.toFixed(0)} bytes on average, `
      + `${((100 * events.matching) / events.texts.length).toFixed(1)} % matching`)
    files.set(size, { rulesFile, eventsFile })
  }
  return files
}

function runNodeWorker(contender: ContenderName, files: InputFiles, options: BenchOptions): WorkerResult {
  const job: WorkerJob = { contender, ...files, timing: options.timing }
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', WORKER, JSON.stringify(job)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  })
  if (child.status !== 0) throw new Error(`${contender} failed (exit ${child.status}): ${child.stderr.slice(-800)}`)
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as WorkerResult
}

/** Which matcher was measured: the override module, or the last commit touching src/pattern (and whether the
 * work tree differs from it), so a figure can be traced to code. */
function describeMatcher(): string {
  const override = process.env['BENCH_PATTERN_MODULE']
  if (override) return `${override} (BENCH_PATTERN_MODULE)`
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const commit = git('log', '-1', '--format=%h %s', '--', 'src/pattern')
    const dirty = git('status', '--porcelain', '--', 'src/pattern') !== ''
    return `src/pattern at ${commit}${dirty ? ' (with uncommitted changes)' : ''}`
  } catch {
    return 'src/pattern (git not available)'
  }
}

function main(): void {
  let options: BenchOptions
  try {
    options = parseOptions(process.argv.slice(2), process.env)
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
  const started = performance.now()
  const loadAtStart = loadavg()[0] ?? 0
  const files = writeInputs(options)

  let contenders = options.contenders
  if (contenders.some((name) => name.startsWith('event-ruler'))) {
    console.error('building the event-ruler harness (mvn -q package) ...')
    const problem = buildEventRuler()
    if (problem) {
      console.error(`event-ruler skipped: ${problem}`)
      contenders = contenders.filter((name) => !name.startsWith('event-ruler'))
    }
  }

  const results: Results = new Map()
  const total = contenders.length * options.sizes.length
  let done = 0
  let failures = 0
  for (const size of options.sizes) {
    const input = files.get(size)!
    for (const contender of contenders) {
      const bySize = results.get(contender) ?? new Map<number, WorkerResult>()
      results.set(contender, bySize)
      try {
        const result = contender === 'event-ruler-text' || contender === 'event-ruler-tree'
          ? runEventRuler(contender === 'event-ruler-text' ? 'text' : 'tree', input.rulesFile, input.eventsFile, options.timing)
          : runNodeWorker(contender, input, options)
        bySize.set(size, result)
        console.error(`[${++done}/${total}] ${contender} x ${size} rules: ${formatRate(result.eventsPerSecond)} events/s`)
      } catch (error) {
        // One broken contender must not cost the others' figures; its cells read n/a.
        failures++
        console.error(`[${++done}/${total}] ${contender} x ${size} rules: FAILED ${String(error)}`)
      }
    }
  }

  // Rows in the order the contenders were asked for, whatever order they ran in.
  const ordered: Results = new Map([...results].sort(([a], [b]) => contenders.indexOf(a) - contenders.indexOf(b)))
  console.log(formatReport(ordered, options.sizes))
  console.log(`\nsepal matcher: ${describeMatcher()}`)
  // Other work on the machine skews every figure; the load average says how busy it was.
  console.log(`load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end, ${cpus().length} cores`)
  console.log(`node ${process.version}, ${options.events} events per rule set, median of ${options.timing.repetitions} `
    + `repetitions after ${options.timing.warmupMs} ms warm-up; whole run ${((performance.now() - started) / 1000).toFixed(0)} s`)
  const raw = Object.fromEntries([...ordered].map(([name, bySize]) => [name, Object.fromEntries(bySize)]))
  writeFileSync(join(options.outDir, 'results.json'), `${JSON.stringify({ matcher: describeMatcher(), options, results: raw }, null, 2)}\n`)
  if (failures > 0) {
    console.error(`${failures} measurement(s) failed; see the messages above`)
    process.exitCode = 1
  }
}

main()
