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

/** What a policy may read about a rule: its name and options as given. */
export type RuleSettings = Pick<CompiledRule, 'name' | 'rule' | 'maxAttempts'>

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
