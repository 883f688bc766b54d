import { defaultIdempotencyKey, type IdempotencyStore } from '../delivery/idempotency.js'
import { ErrorCodes, SepalError } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import type { TargetContext } from '../targets/target-context.js'
import { DUPLICATE, type CompiledTarget, type TargetRunResult } from '../targets/types.js'
import type { EngineIdempotency, Logger, RuleIdempotency } from './types.js'

export const DEFAULT_LEASE_MS = 60_000
export const DEFAULT_COMPLETION_TTL_MS = 7 * 24 * 60 * 60 * 1000

/** Another worker holds the lease on this side effect; retry once it has finished or its lease ran out. */
export class InProgressError extends SepalError {
  readonly retryAfterMs: number
  constructor(rule: string, target: string, leaseMs: number) {
    super(ErrorCodes.IN_PROGRESS, `target "${target}" of rule "${rule}" is being run for this event by another worker; it is retried later`)
    this.retryAfterMs = Math.min(leaseMs, 5_000)
  }
}

export interface IdempotencySettings {
  readonly store: IdempotencyStore
  readonly key: (event: CloudEvent) => string
  readonly leaseMs: number
  readonly ttlMs: number
}

/** The key of one target's side effect for one event: the event key, the rule and the target, unambiguously joined. */
export function targetIdempotencyKey(eventKey: string, rule: string, target: string): string {
  return `${eventKey.length}:${eventKey}${rule.length}:${rule}${target}`
}

/**
 * Wraps a target so that its side effect runs at most once per event while the completion is
 * remembered: claim a lease → run → complete; release on failure so a retry can claim again.
 * A completed key answers DUPLICATE without running; a live lease of another worker fails the attempt
 * with InProgressError (retried later, never dead-lettered early: its delay follows the lease).
 */
export function withIdempotency(target: CompiledTarget, rule: string, settings: IdempotencySettings, logger: Logger): CompiledTarget {
  const { store, leaseMs, ttlMs } = settings
  async function invoke(event: CloudEvent, ctx: TargetContext): Promise<TargetRunResult> {
    const key = targetIdempotencyKey(settings.key(event), rule, target.name)
    const claim = await store.claim(key, leaseMs)
    if (claim === 'completed') return DUPLICATE
    if (claim === 'in-progress') throw new InProgressError(rule, target.name, leaseMs)
    ctx.idempotencyKey = key
    let result: TargetRunResult
    try {
      result = await target.invoke(event, ctx)
    } catch (error) {
      await store.release(key).catch((releaseError: unknown) => {
        // The lease then simply runs out; the retry waits for it instead of claiming at once.
        logger.warn({ rule, target: target.name, eventId: event.id, err: String(releaseError) }, 'could not release an idempotency lease')
      })
      throw error
    }
    await store.complete(key, ttlMs)
    return result
  }
  return { name: target.name, timeoutMs: target.timeoutMs, invoke }
}

export function idempotencySettingsFor(
  rule: { readonly idempotency?: false | RuleIdempotency | undefined },
  engine: EngineIdempotency | undefined,
): IdempotencySettings | undefined {
  if (engine === undefined || rule.idempotency === false) return undefined
  const own = rule.idempotency ?? {}
  return {
    store: engine.store,
    key: own.key ?? defaultIdempotencyKey,
    leaseMs: own.leaseMs ?? engine.leaseMs ?? DEFAULT_LEASE_MS,
    ttlMs: own.ttlMs ?? engine.ttlMs ?? DEFAULT_COMPLETION_TTL_MS,
  }
}
