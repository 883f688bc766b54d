import { describe, expect, it } from 'vitest'
import { formatReport, runTarget } from './fuzz/harness/runner.js'
import { fuzzTargets } from './fuzz/targets/index.js'

// The same properties as `npm run fuzz`, with fewer cases so they fit in `npm test`. FUZZ_TEST_RUNS changes the count.
const numRuns = Number(process.env['FUZZ_TEST_RUNS'] ?? 1000)

describe('every parser that takes outside input, under generated hostile input', () => {
  for (const target of fuzzTargets) {
    it(`${target.name} never crashes, hangs or rejects without a code`, async () => {
      // Targets that are slow per case (real sockets) run a twentieth of their own default here.
      const runs = Math.min(numRuns, Math.ceil((target.defaultRuns ?? Number.POSITIVE_INFINITY) / 20))
      const report = await runTarget(target, { numRuns: runs, budgetMs: 2000 })
      expect(report.failure, formatReport(report)).toBeUndefined()
      expect(report.cases).toBeGreaterThanOrEqual(runs)
    }, 120_000)
  }
})
