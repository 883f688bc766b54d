import { nextRetry } from '../delivery/retry-policy.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { awaitTarget, ShutdownAbortError, type AttemptOutcome, type PendingAttempts } from '../targets/await-target.js'
import { isPromiseLike } from '../targets/handler-target.js'
import { TargetContext } from '../targets/target-context.js'
import { DUPLICATE, type TargetRunResult } from '../targets/types.js'
import type { Metrics } from './metrics.js'
import type { CompiledRule, RuleTarget } from './rule-set.js'
import type { DispatchReport, EngineHooks, Logger, TargetReport } from './types.js'

/** What running targets needs from the engine; one object, built once, not per event. */
export interface RunEnvironment {
  readonly logger: Logger
  readonly metrics: Metrics
  readonly hooks: EngineHooks
  readonly pending: PendingAttempts
  /** Set once a stop has spent its drain budget: ordered work still queued must not start. */
  readonly halted: { value: boolean }
}

/**
 * Lets a retry skip targets that already succeeded on an earlier attempt (the delivery policy keeps
 * that record; without one every target runs on every attempt).
 */
export type SkipTarget = (rule: string, target: string) => boolean

/**
 * Runs every target of every matched rule, all at once, and reports each outcome. Never throws or
 * rejects. Answers synchronously when every target did (the common no-op or sync-handler case), so
 * the caller awaits nothing it does not have to. A rule with an ordering key or a concurrency limit
 * runs through its sequencer, retrying in place (see runSequenced).
 */
export function runTargets(
  event: CloudEvent,
  attempt: number,
  matched: readonly CompiledRule[],
  env: RunEnvironment,
  skip?: SkipTarget,
): DispatchReport | Promise<DispatchReport> {
  const names: string[] = new Array<string>(matched.length)
  const reports: TargetReport[] = []
  let waiting: Promise<void>[] | undefined
  for (let r = 0; r < matched.length; r++) {
    const rule = matched[r] as CompiledRule
    names[r] = rule.name
    if (rule.sequencer !== undefined) {
      const first = reports.length
      for (const target of rule.targets) reports.push({ rule: rule.name, target: target.compiled.name, outcome: 'ok' })
      const sequenced = rule.sequencer.run(rule.orderBy?.(event), () => runSequenced(event, attempt, rule, env, skip))
      ;(waiting ??= []).push(sequenced.then((own) => void reports.splice(first, own.length, ...own)))
      continue
    }
    for (const target of rule.targets) {
      const report = runOneTarget(event, attempt, rule, target, env, skip)
      if (!isPromiseLike(report)) {
        reports.push(report)
        continue
      }
      const index = reports.push({ rule: rule.name, target: target.compiled.name, outcome: 'ok' }) - 1
      ;(waiting ??= []).push(report.then((r) => void (reports[index] = r)))
    }
  }
  if (waiting === undefined) return { event, attempt, matched: names, targets: reports }
  return Promise.all(waiting).then(() => ({ event, attempt, matched: names, targets: reports }))
}

/** Runs one target once and reports how it went; synchronous when the target was. Never rejects. */
export function runOneTarget(
  event: CloudEvent,
  attempt: number,
  rule: CompiledRule,
  target: RuleTarget,
  env: RunEnvironment,
  skip?: SkipTarget,
): TargetReport | Promise<TargetReport> {
  const targetName = target.compiled.name
  if (skip !== undefined && skip(rule.name, targetName)) return { rule: rule.name, target: targetName, outcome: 'skipped' }
  const ctx = new TargetContext(rule.name, targetName, attempt, env.logger, env.metrics)
  let result: TargetRunResult | Promise<TargetRunResult>
  try {
    result = target.compiled.invoke(event, ctx)
  } catch (error) {
    return failure(event, rule, target, error, env)
  }
  if (!isPromiseLike(result)) return success(rule.name, targetName, result)
  return awaitTarget(result, ctx, target.compiled.timeoutMs, env.pending).then((outcome: AttemptOutcome) =>
    outcome.ok ? success(rule.name, targetName, outcome.published) : failure(event, rule, target, outcome.error, env),
  )
}

/**
 * An ordered (or concurrency-limited) rule holds its key while it retries, so its failing targets are
 * retried here, in place, with their own backoff, instead of through a redelivery that later events of
 * the key could overtake. A target whose policy gives up is reported `final`: the settlement
 * dead-letters it without another attempt, which releases the key.
 */
async function runSequenced(
  event: CloudEvent,
  attempt: number,
  rule: CompiledRule,
  env: RunEnvironment,
  skip?: SkipTarget,
): Promise<TargetReport[]> {
  if (env.halted.value) return rule.targets.map((t) => halted(rule, t))
  const reports = await Promise.all(rule.targets.map((t) => runOneTarget(event, attempt, rule, t, env, skip)))
  const since = eventTime(event) ?? Date.now()
  for (let tries = attempt; ; tries++) {
    let delayMs = Number.POSITIVE_INFINITY
    const retrying: number[] = []
    for (let i = 0; i < reports.length; i++) {
      const report = reports[i] as TargetReport
      if (report.outcome !== 'failed' || report.final === true || report.error instanceof ShutdownAbortError) continue
      const decision = nextRetry((rule.targets[i] as RuleTarget).retry, { attempt: tries, error: report.error, since, now: Date.now(), random: Math.random() })
      if (decision.retry) {
        retrying.push(i)
        delayMs = Math.min(delayMs, decision.delayMs)
      } else {
        reports[i] = { ...report, final: true, attempts: tries }
      }
    }
    if (retrying.length === 0) return reports
    if (!(await pause(delayMs, env))) {
      for (const i of retrying) reports[i] = halted(rule, rule.targets[i] as RuleTarget)
      return reports
    }
    const again = await Promise.all(retrying.map((i) => runOneTarget(event, tries + 1, rule, rule.targets[i] as RuleTarget, env)))
    retrying.forEach((i, k) => (reports[i] = again[k] as TargetReport))
  }
}

/** Sleeps, unless a stop past its drain budget cuts the wait short (then false). */
function pause(ms: number, env: RunEnvironment): Promise<boolean> {
  if (env.halted.value) return Promise.resolve(false)
  return new Promise((resolve) => {
    const cutLoose = (): void => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      env.pending.delete(cutLoose)
      resolve(true)
    }, ms)
    env.pending.add(cutLoose)
  })
}

function halted(rule: CompiledRule, target: RuleTarget): TargetReport {
  return { rule: rule.name, target: target.compiled.name, outcome: 'failed', error: new ShutdownAbortError(rule.name, target.compiled.name) }
}

function eventTime(event: CloudEvent): number | undefined {
  if (event.time === undefined) return undefined
  const ms = Date.parse(event.time)
  return Number.isNaN(ms) ? undefined : ms
}

function success(rule: string, target: string, published: TargetRunResult): TargetReport {
  if (published === DUPLICATE) return { rule, target, outcome: 'duplicate' }
  return published === undefined ? { rule, target, outcome: 'ok' } : { rule, target, outcome: 'ok', published }
}

function failure(event: CloudEvent, rule: CompiledRule, target: RuleTarget, error: unknown, env: RunEnvironment): TargetReport {
  target.failed.inc()
  const targetName = target.compiled.name
  // Ids and names only: event data may hold secrets or personal data.
  env.logger.warn(
    { rule: rule.name, target: targetName, eventId: event.id, eventSource: event.source, eventType: event.type, err: describeError(error) },
    'target failed',
  )
  if (env.hooks.onFailed !== undefined) {
    try {
      env.hooks.onFailed(event, rule.name, targetName, error)
    } catch (hookError) {
      env.logger.error({ hook: 'onFailed', err: describeError(hookError) }, 'hook threw; ignored')
    }
  }
  return { rule: rule.name, target: targetName, outcome: 'failed', error }
}

/** Errors as plain data for logs: thrown values need not be Errors. */
export function describeError(error: unknown): { message: string; name?: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === 'string' ? { name: error.name, message: error.message, code } : { name: error.name, message: error.message }
  }
  let message: string
  try {
    message = typeof error === 'string' ? error : JSON.stringify(error) ?? String(error)
  } catch {
    message = Object.prototype.toString.call(error)
  }
  return { message }
}
