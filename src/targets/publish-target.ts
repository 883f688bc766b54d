import type { CloudEvent } from '../event/cloud-event.js'
import type { PublishTarget } from '../engine/types.js'
import type { CompiledTarget, TargetEnvironment } from './types.js'

/** Forwards the matched event, unchanged (same id, so idempotency downstream still works), to a topic. */
export function compilePublishTarget(
  target: PublishTarget,
  name: string,
  timeoutMs: number,
  env: TargetEnvironment,
): CompiledTarget {
  const { topic } = target
  return {
    name,
    timeoutMs,
    invoke(event: CloudEvent) {
      const events = [event]
      return env.publish(topic, events).then(() => events)
    },
  }
}
