import type { CloudEvent } from '../event/cloud-event.js'
import { awaitTarget, type AttemptOutcome, type PendingAttempts } from '../targets/await-target.js'
import { isPromiseLike } from '../targets/handler-target.js'
import { TargetContext } from '../targets/target-context.js'
import type { TargetRunResult } from '../targets/types.js'
import type { Metrics } from './metrics.js'
import type { CompiledRule, RuleTarget } from './rule-set.js'
import type { DispatchReport, EngineHooks, Logger, TargetReport } from './types.js'

/** What running targets needs from the engine; one object, built once, not per event. */
export interface RunEnvironment {
  readonly logger: Logger
  readonly metrics: Metrics
  readonly hooks: EngineHooks
  readonly pending: PendingAttempts
}

/**
 * Lets a retry skip targets that already succeeded on an earlier attempt (the delivery policy keeps
 * that record; without one every target runs on every attempt).
 */
export type SkipTarget = (rule: string, target: string) => boolean

/**
 * Runs every target of every matched rule, all at once, and reports each outcome. Never throws or
 * rejects. Answers synchronously when every target did (the common no-op or sync-handler case), so
 * the caller awaits nothing it does not have to.
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
    for (const target of rule.targets) {
      const targetName = target.compiled.name
      if (skip !== undefined && skip(rule.name, targetName)) {
        reports.push({ rule: rule.name, target: targetName, outcome: 'skipped' })
        continue
      }
      const ctx = new TargetContext(rule.name, targetName, attempt, env.logger, env.metrics)
      let result: TargetRunResult | Promise<TargetRunResult>
      try {
        result = target.compiled.invoke(event, ctx)
      } catch (error) {
        reports.push(failure(event, rule, target, error, env))
        continue
      }
      if (!isPromiseLike(result)) {
        reports.push(success(rule.name, targetName, result))
        continue
      }
      const index = reports.push(success(rule.name, targetName, undefined)) - 1
      const settled = awaitTarget(result, ctx, target.compiled.timeoutMs, env.pending).then((outcome: AttemptOutcome) => {
        reports[index] = outcome.ok
          ? success(rule.name, targetName, outcome.published)
          : failure(event, rule, target, outcome.error, env)
      })
      ;(waiting ??= []).push(settled)
    }
  }
  if (waiting === undefined) return { event, attempt, matched: names, targets: reports }
  return Promise.all(waiting).then(() => ({ event, attempt, matched: names, targets: reports }))
}

function success(rule: string, target: string, published: TargetRunResult): TargetReport {
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
