// `npm run fuzz [-- --runs N] [--only a,b] [--seed S [--path P]] [--budget-ms MS] [--list]`: every parser that
// takes outside input, 100 000 cases each by default (FUZZ_RUNS overrides). Exits 1 when any case broke a
// requirement, printing the seed and path that replay it (`--only <name> --seed S --path P`).
import { parseArgs } from 'node:util'
import { formatReport, runTarget } from './harness/runner.js'
import { startWatchdog } from './harness/watchdog.js'
import { fuzzTargets } from './targets/index.js'

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    only: { type: 'string' },
    seed: { type: 'string' },
    path: { type: 'string' },
    'budget-ms': { type: 'string' },
    list: { type: 'boolean' },
  },
})

if (values.list === true) {
  for (const target of fuzzTargets) process.stdout.write(`${target.name}\n`)
  process.exit(0)
}

const explicitRuns = values.runs ?? process.env['FUZZ_RUNS']
const numRuns = Number(explicitRuns ?? 100_000)
const budgetMs = Number(values['budget-ms'] ?? 2000)
// A seed is always chosen here, so a hang caught by the watchdog can be replayed too.
const seed = values.seed === undefined ? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0 : Number(values.seed)
const only = values.only?.split(',').map((name) => name.trim())
const selected = only === undefined ? fuzzTargets : fuzzTargets.filter((t) => only.some((name) => t.name === name || t.name.startsWith(`${name}-`)))
if (!Number.isSafeInteger(numRuns) || numRuns < 1 || !Number.isFinite(budgetMs) || !Number.isSafeInteger(seed) || selected.length === 0) {
  process.stderr.write(`fuzz: give --runs as a whole number >= 1, --seed as a whole number, --budget-ms as a number, --only as names from --list\n`)
  process.exit(2)
}

// The yaml package warns on every complex mapping key it stringifies; each kind of warning is shown once.
const seenWarnings = new Set<string>()
process.removeAllListeners('warning')
process.on('warning', (warning) => {
  const kind = `${warning.name}: ${warning.message.replace(/"[^]*"/, '"…"')}`
  if (seenWarnings.has(kind)) return
  seenWarnings.add(kind)
  process.stderr.write(`(shown once) ${kind}\n`)
})

let failed = 0
const started = performance.now()
const watchdog = startWatchdog(selected.map((t) => t.name), Math.max(budgetMs * 3, 5000))
process.stdout.write(`seed ${seed}\n`)
for (const [number, target] of selected.entries()) {
  const report = await runTarget(target, {
    numRuns: explicitRuns === undefined ? (target.defaultRuns ?? numRuns) : numRuns,
    budgetMs,
    seed,
    ...(values.path === undefined ? {} : { path: values.path }),
    onCase: (index) => watchdog.beat(number, seed, index),
  })
  process.stdout.write(`${formatReport(report)}\n`)
  if (report.failure !== undefined) failed++
}
await watchdog.stop()
const total = ((performance.now() - started) / 1000).toFixed(1)
process.stdout.write(`\n${selected.length} targets, ${total} s: ${failed === 0 ? 'no failures' : `${failed} FAILED (rerun one with --only <name> --seed <seed>)`}\n`)
process.exit(failed === 0 ? 0 : 1)
