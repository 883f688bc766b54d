import { PermanentError } from '../errors.js'
import { ShutdownAbortError } from '../targets/await-target.js'
import type { CloudEvent } from '../event/cloud-event.js'
import type { CompiledRule } from './rule-set.js'
import type { SkipTarget } from './run-targets.js'
import type { DispatchReport, TargetReport } from './types.js'

/**
 * What to do with a delivery once its targets ran. This module is the seam the delivery policy
 * replaces (backoff with jitter, dead letters, idempotency): the engine asks, then carries it out.
 */
export type SettleDecision =
  | { readonly kind: 'ack' }
  | { readonly kind: 'nack'; readonly delayMs: number }
  /** Attempts ran out (or a PermanentError): ack, and say loudly that the event was given up on. */
  | { readonly kind: 'give-up'; readonly failed: readonly TargetReport[] }

/**
 * Decides how a consumed delivery is settled. The engine carries the decision out (ack or nack); a
 * policy with side effects (writing a dead letter, parking for a delayed retry) does them inside
 * `decide` and answers `ack` only once they are durable. A `decide` that throws or rejects makes the
 * engine nack: fail closed.
 */
export interface SettlementPolicy {
  decide(report: DispatchReport, rules: ReadonlyMap<string, RuleSettings>): SettleDecision | Promise<SettleDecision>
  /** Targets not to run again on this attempt because they succeeded on an earlier one (from the reports `decide` saw). */
  skipFor?(event: CloudEvent, attempt: number): SkipTarget | undefined
}

/** A policy that decides on the spot, with no durable work to wait for. */
export interface SyncSettlementPolicy extends SettlementPolicy {
  decide(report: DispatchReport, rules: ReadonlyMap<string, RuleSettings>): SettleDecision
}

/** What a policy may read about a rule: its name and options as given. */
export type RuleSettings = Pick<CompiledRule, 'name' | 'rule' | 'maxAttempts' | 'targets'>

const ACK: SettleDecision = Object.freeze({ kind: 'ack' })

/** Retry delay before attempt n+1: 100 ms doubling, at most 5 s. Small on purpose; the delivery policy refines it. */
export function retryDelayMs(attempt: number): number {
  return Math.min(5_000, 100 * 2 ** Math.max(0, attempt - 1))
}

/**
 * The simple attempt limit:
 * - every target ok (or skipped, duplicate, dead-lettered), or nothing matched → ack;
 * - a target cut loose by a stop past its budget → nack at once (shutdown never gives up on an event);
 * - some failed target's rule still has attempts left and its error is not a PermanentError → nack
 *   with a small delay (every failed target runs again on the redelivery);
 * - otherwise → give up: ack and report it.
 */
export const attemptLimitPolicy = {
  decide(report: DispatchReport, rules: ReadonlyMap<string, RuleSettings>): SettleDecision {
    let failed: TargetReport[] | undefined
    for (const target of report.targets) if (target.outcome === 'failed') (failed ??= []).push(target)
    if (failed === undefined) return ACK
    if (failed.some((t) => t.error instanceof ShutdownAbortError)) return { kind: 'nack', delayMs: 0 }
    const retryable = failed.some((t) => {
      if (t.error instanceof PermanentError) return false
      const maxAttempts = rules.get(t.rule)?.maxAttempts ?? 1
      return report.attempt < maxAttempts
    })
    return retryable ? { kind: 'nack', delayMs: retryDelayMs(report.attempt) } : { kind: 'give-up', failed }
  },
} satisfies SettlementPolicy

/** Events whose partial success an engine remembers at most, by default: old entries go first. */
export const DEFAULT_REMEMBERED_EVENTS = 10_000

/**
 * The attempt limit plus a memory, in this process, of which targets already succeeded for an event
 * that is being retried, so its redelivery runs only the targets that failed. A redelivery that lands
 * in another process (or after a restart) runs every target again: at least once, as always.
 * Only partial successes are remembered, and only until the event is settled for good.
 */
export function createAttemptLimitPolicy(options: { readonly rememberEvents?: number } = {}): SyncSettlementPolicy {
  const limit = Math.max(0, options.rememberEvents ?? DEFAULT_REMEMBERED_EVENTS)
  const succeeded = new Map<string, Set<string>>()

  return {
    decide(report, rules) {
      const decision = attemptLimitPolicy.decide(report, rules)
      // The happy path (nothing remembered, acked) costs one failed map lookup at most.
      if (decision.kind !== 'nack') {
        if (succeeded.size > 0) succeeded.delete(eventKey(report.event))
        return decision
      }
      const key = eventKey(report.event)
      let done = succeeded.get(key)
      for (const target of report.targets) {
        if (target.outcome !== 'ok') continue
        done ??= new Set()
        done.add(targetKey(target.rule, target.target))
      }
      if (done !== undefined && limit > 0) {
        succeeded.delete(key)
        succeeded.set(key, done)
        if (succeeded.size > limit) succeeded.delete(succeeded.keys().next().value as string)
      }
      return decision
    },
    skipFor(event) {
      if (succeeded.size === 0) return undefined
      const done = succeeded.get(eventKey(event))
      return done === undefined ? undefined : (rule, target) => done.has(targetKey(rule, target))
    },
  }
}

/** Source and id name an event uniquely (CloudEvents); the length prefix keeps the pair unambiguous. */
function eventKey(event: CloudEvent): string {
  return `${event.source.length}:${event.source}${event.id}`
}

function targetKey(rule: string, target: string): string {
  return `${rule.length}:${rule}${target}`
}
