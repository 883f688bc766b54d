import { SepalError, ErrorCodes } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import type { HandlerTarget } from '../engine/types.js'
import type { CompiledTarget, TargetEnvironment, TargetRunResult } from './types.js'
import type { TargetContext } from './target-context.js'

/** A handler returned something other than nothing or an array of events: a bug in the handler. */
export class HandlerResultError extends SepalError {
  constructor(message: string) {
    super(ErrorCodes.OPTIONS_INVALID, message)
  }
}

/**
 * Runs a user function. A synchronous handler that returns nothing is answered synchronously (no
 * promise); returned events are validated and published before the attempt counts as ok, so a
 * follow-up event is never lost behind an acked original.
 */
export function compileHandlerTarget(
  target: HandlerTarget,
  name: string,
  timeoutMs: number,
  env: TargetEnvironment,
): CompiledTarget {
  const { handler } = target
  const topic = target.publishTo ?? env.defaultTopic

  function publishReturned(returned: unknown): TargetRunResult | Promise<TargetRunResult> {
    if (returned === undefined || returned === null) return undefined
    if (!Array.isArray(returned)) {
      throw new HandlerResultError(
        `handler "${name}" returned ${describe(returned)}; return nothing, or an array of CloudEvents to publish`,
      )
    }
    if (returned.length === 0) return undefined
    const events: CloudEvent[] = returned.map((e: unknown) => env.validate(e))
    return env.publish(topic, events).then(() => events)
  }

  return {
    name,
    timeoutMs,
    invoke(event: CloudEvent, ctx: TargetContext) {
      const result = handler(event, ctx)
      if (isPromiseLike(result)) return Promise.resolve(result).then(publishReturned)
      return publishReturned(result)
    },
  }
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`
  if (typeof value === 'object') return 'an object that is not an array'
  return `a ${typeof value} (${String(value)})`
}
