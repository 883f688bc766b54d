import { toDeadLetter, type DeadLetterCause } from '../delivery/dead-letter.js'
import type { DeadLetterSink } from '../delivery/dead-letter-store.js'
import { nextRetry } from '../delivery/retry-policy.js'
import { ErrorCodes, SepalError } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { ShutdownAbortError } from '../targets/await-target.js'
import type { Metrics } from './metrics.js'
import { describeError, type SkipTarget } from './run-targets.js'
import type { RuleSettings, SettleDecision, SettlementPolicy } from './settle.js'
import type { DispatchReport, Logger, TargetReport } from './types.js'

/** A dead letter could not be written: the original stays unacked and comes back. */
export class DeadLetterFailedError extends SepalError {
  constructor(rule: string, target: string, cause: unknown) {
    super(ErrorCodes.DEAD_LETTER_FAILED, `could not dead-letter an event of rule "${rule}", target "${target}"; it was not acked and will come back`, { cause })
  }
}

export interface DeliverySettlementOptions {
  /** The consumed topic: recorded on dead letters, so a redrive knows where to publish. */
  readonly topic: string
  readonly deadLetters: DeadLetterSink
  readonly logger: Logger
  readonly metrics: Metrics
  /** Marks a dead-lettered target done for this event (its idempotency key), so no worker runs it again. */
  readonly markDone?: (event: CloudEvent, rule: string, target: string) => Promise<void>
  readonly now?: () => number
  readonly random?: () => number
  /** Partial outcomes remembered in this process for events awaiting a retry. Default 10 000. */
  readonly rememberEvents?: number
}

interface Memory {
  /** Targets that need not run again: succeeded, duplicate or dead-lettered. */
  readonly done: Set<string>
  /** When each still-failing target first failed (for maxAgeMs and the dead letter). */
  readonly firstFailedAt: Map<string, number>
}

const ACK: SettleDecision = Object.freeze({ kind: 'ack' })

/**
 * The delivery policy. For each failed target, its own retry policy decides: retry (the delivery is
 * nacked with the shortest delay any target asked for, so nothing blocks the stream — the transport
 * holds it) or give up (the event is dead-lettered for that target, with why). Targets that succeeded
 * or were dead-lettered are remembered and skipped on the redelivery; with idempotency on, the store
 * remembers them for every worker. A dead letter that cannot be written fails the decision, and the
 * engine then nacks: fail closed.
 */
export function createDeliverySettlement(options: DeliverySettlementOptions): SettlementPolicy {
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const limit = Math.max(0, options.rememberEvents ?? 10_000)
  const memory = new Map<string, Memory>()
  const deadLettered = options.metrics.counter('sepal_dead_letters_total')
  const deadLetterFailed = options.metrics.counter('sepal_dead_letter_failures_total')

  async function deadLetter(event: CloudEvent, report: TargetReport, attempts: number, firstFailedAt: number): Promise<void> {
    const cause: DeadLetterCause = { error: report.error, rule: report.rule, target: report.target, attempts, firstFailedAt, lastFailedAt: now() }
    try {
      await options.deadLetters.put({
        topic: options.topic,
        rule: report.rule,
        target: report.target,
        error: describeError(report.error).message,
        deadLetteredAt: cause.lastFailedAt,
        event: toDeadLetter(event, cause),
      })
    } catch (error) {
      deadLetterFailed.inc()
      options.logger.error({ eventId: event.id, rule: report.rule, target: report.target, err: describeError(error) }, 'dead letter write failed; the event is not acked')
      throw new DeadLetterFailedError(report.rule, report.target, error)
    }
    deadLettered.inc()
    await options.markDone?.(event, report.rule, report.target)
  }

  function remember(key: string, entry: Memory): void {
    if (limit === 0) return
    memory.delete(key)
    memory.set(key, entry)
    if (memory.size > limit) memory.delete(memory.keys().next().value as string)
  }

  const policy: SettlementPolicy = {
    skipFor(event) {
      if (memory.size === 0) return undefined
      const entry = memory.get(eventKey(event))
      if (entry === undefined || entry.done.size === 0) return undefined
      const skip: SkipTarget = (rule, target) => entry.done.has(targetKey(rule, target))
      return skip
    },

    // Synchronous on the common path (nothing failed), so the engine awaits nothing for it.
    decide(report, rules) {
      let anyFailed = false
      for (const t of report.targets) {
        if (t.outcome !== 'failed') continue
        anyFailed = true
        // Shutdown never gives up on an event: it comes back at once, elsewhere or after a restart.
        if (t.error instanceof ShutdownAbortError) return { kind: 'nack', delayMs: 0 }
      }
      if (!anyFailed) {
        if (memory.size > 0) memory.delete(eventKey(report.event))
        return ACK
      }
      return decideAfterFailure(report, rules)
    },
  }

  async function decideAfterFailure(report: DispatchReport, rules: ReadonlyMap<string, RuleSettings>): Promise<SettleDecision> {
    const key = eventKey(report.event)
    const entry = memory.get(key) ?? { done: new Set<string>(), firstFailedAt: new Map<string, number>() }
    const t0 = now()
    const eventTime = report.event.time === undefined ? Number.NaN : Date.parse(report.event.time)
    let delayMs = Number.POSITIVE_INFINITY
    const given: TargetReport[] = []
    for (const target of report.targets) {
      const id = targetKey(target.rule, target.target)
      if (target.outcome !== 'failed') {
        if (target.outcome !== 'skipped') entry.done.add(id)
        continue
      }
      const firstFailedAt = entry.firstFailedAt.get(id) ?? t0
      entry.firstFailedAt.set(id, firstFailedAt)
      const attempts = target.attempts ?? report.attempt
      const policy = rules.get(target.rule)?.targets.find((t) => t.compiled.name === target.target)?.retry
      const decision =
        target.final === true || policy === undefined
          ? undefined
          : nextRetry(policy, { attempt: attempts, error: target.error, since: Number.isNaN(eventTime) ? firstFailedAt : eventTime, now: t0, random: random() })
      if (decision?.retry === true) {
        delayMs = Math.min(delayMs, decision.delayMs)
        continue
      }
      await deadLetter(report.event, target, attempts, firstFailedAt)
      given.push(target)
      entry.done.add(id)
      entry.firstFailedAt.delete(id)
    }
    if (delayMs === Number.POSITIVE_INFINITY) {
      memory.delete(key)
      // Every failure is now a durable dead letter: the engine acks and logs what it gave up on.
      return given.length === 0 ? ACK : { kind: 'give-up', failed: given }
    }
    remember(key, entry)
    return { kind: 'nack', delayMs }
  }

  return policy
}

function eventKey(event: CloudEvent): string {
  return `${event.source.length}:${event.source}${event.id}`
}

function targetKey(rule: string, target: string): string {
  return `${rule.length}:${rule}${target}`
}
