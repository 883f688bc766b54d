import fc from 'fast-check'
import { FuzzFailure, describeThrown } from './failure.js'
import type { Outcome } from './outcome.js'

/** One parser under fuzz: its inputs and how to feed one to the real entry point. */
export interface FuzzTarget<T = unknown> {
  readonly name: string
  readonly input: fc.Arbitrary<T>
  /** Cases when the run gives no count, for a target much slower per case than the rest. Default: the run's. */
  readonly defaultRuns?: number
  /** Builds what the cases share (an app, a temp folder); `close` is called once at the end. */
  open(): Promise<FuzzSession<T>>
}

export interface FuzzSession<T> {
  /** Feeds one input; returns the outcome, or throws FuzzFailure when a requirement is broken. */
  check(input: T): Promise<Outcome>
  close(): Promise<void>
}

export interface FuzzRunOptions {
  readonly numRuns: number
  readonly seed?: number
  /** Longest a single case may take before it counts as a hang. */
  readonly budgetMs: number
  /** Replays one case (fast-check's counterexample path, e.g. "42" or "42:1:0") instead of a full run. */
  readonly path?: string
  /** Called before each case with its number (for the watchdog). */
  readonly onCase?: (index: number) => void
}

export interface FuzzReport {
  readonly name: string
  readonly cases: number
  readonly accepted: number
  readonly rejected: ReadonlyMap<string, number>
  readonly elapsedMs: number
  /** Undefined when every case met the requirements. */
  readonly failure?: { readonly seed: number; readonly path: string | undefined; readonly counterexample: string; readonly error: string }
}

/**
 * Runs `numRuns` cases of one target. Per case: no throw other than a coded rejection, no unhandled
 * rejection or uncaught exception while it runs, and done within the budget (a timer catches a stuck
 * promise, the clock a slow synchronous parse).
 */
export async function runTarget<T>(target: FuzzTarget<T>, options: FuzzRunOptions): Promise<FuzzReport> {
  const session = await target.open()
  const rejectedCodes = new Map<string, number>()
  let cases = 0
  let acceptedCount = 0
  const stray: unknown[] = []
  const onStray = (error: unknown): void => void stray.push(error)
  process.on('unhandledRejection', onStray)
  process.on('uncaughtException', onStray)
  const started = performance.now()
  try {
    let index = 0
    const property = fc.asyncProperty(target.input, async (input) => {
      options.onCase?.(index++)
      const outcome = await withinBudget(() => session.check(input), options.budgetMs)
      // Lets a rejection nobody awaited surface before the case counts as passed.
      await new Promise((resolve) => setImmediate(resolve))
      if (stray.length > 0) {
        const error = stray.splice(0).at(0)
        throw new FuzzFailure(`unhandled rejection or uncaught exception: ${describeThrown(error)}`, { cause: error })
      }
      cases++
      if (outcome.kind === 'accepted') acceptedCount++
      else rejectedCodes.set(outcome.code, (rejectedCodes.get(outcome.code) ?? 0) + 1)
    })
    const details = await fc.check(property, {
      numRuns: options.numRuns,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.path === undefined ? {} : { path: options.path }),
    })
    const elapsedMs = performance.now() - started
    const report = { name: target.name, cases, accepted: acceptedCount, rejected: rejectedCodes, elapsedMs }
    if (!details.failed) return report
    return {
      ...report,
      failure: {
        seed: details.seed,
        path: details.counterexamplePath ?? undefined,
        counterexample: truncate(details.counterexample === null ? '(none)' : printable(details.counterexample[0]), 4000),
        error: truncate(details.errorInstance === null ? '(no error)' : describeThrown(details.errorInstance), 4000),
      },
    }
  } finally {
    process.off('unhandledRejection', onStray)
    process.off('uncaughtException', onStray)
    await session.close()
  }
}

async function withinBudget<T>(work: () => Promise<T>, budgetMs: number): Promise<T> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FuzzFailure(`the case did not finish within ${budgetMs} ms (a hang)`)), budgetMs)
  })
  try {
    return await Promise.race([work(), timeout])
  } finally {
    clearTimeout(timer)
    const took = performance.now() - started
    if (took > budgetMs) throw new FuzzFailure(`the case took ${Math.round(took)} ms, over the ${budgetMs} ms budget`)
  }
}

/** fast-check's printer recurses per level; a case thousands of levels deep is described by its JSON instead. */
function printable(value: unknown): string {
  try {
    return fc.stringify(value)
  } catch {
    try {
      return `(too deep for fc.stringify) ${JSON.stringify(value)}`
    } catch {
      return '(a value too deep to print)'
    }
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`
}

/** The report as lines of text: cases, accepted, rejections by code, time. */
export function formatReport(report: FuzzReport): string {
  const codes = [...report.rejected.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ')
  const seconds = (report.elapsedMs / 1000).toFixed(1)
  const head = `${report.name}: ${report.cases} cases in ${seconds} s, accepted ${report.accepted}, rejected ${report.cases - report.accepted}${codes === '' ? '' : ` (${codes})`}`
  if (report.failure === undefined) return head
  const f = report.failure
  return [`${head}`, `  FAILED — seed ${f.seed}, path ${f.path ?? '?'}`, `  shrunk case: ${f.counterexample}`, `  error: ${f.error.replace(/\n/g, '\n    ')}`].join('\n')
}
