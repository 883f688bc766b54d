import type { CloudEvent } from '../event/cloud-event.js'
import type { TargetContext } from './target-context.js'

/** Returned instead of running a target whose side effect is already done for this event (idempotency). */
export const DUPLICATE: unique symbol = Symbol('sepal.duplicate')

/** What one attempt of a target produced: the events it published, if any, or DUPLICATE. */
export type TargetRunResult = readonly CloudEvent[] | undefined | typeof DUPLICATE

/**
 * A target ready to run: the engine compiles each rule's `Target` into one of these at `addRule`.
 * `invoke` answers synchronously when it can, so a synchronous handler costs no promise.
 */
export interface CompiledTarget {
  readonly name: string
  readonly timeoutMs: number
  invoke(event: CloudEvent, ctx: TargetContext): TargetRunResult | Promise<TargetRunResult>
}

/** What targets need from the engine. */
export interface TargetEnvironment {
  /** The engine's topic: where a handler's returned events go unless the target says otherwise. */
  readonly defaultTopic: string
  publish(topic: string, events: readonly CloudEvent[]): Promise<void>
  /** Checks events a handler returned; throws EventValidationError for an invalid one. */
  validate(event: unknown): CloudEvent
  /** Hosts every HTTP target may call although they resolve to private or loopback addresses. */
  readonly allowHosts?: readonly string[]
}

export const DEFAULT_TARGET_TIMEOUT_MS = 30_000
