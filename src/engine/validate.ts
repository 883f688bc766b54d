import type { CloudEvent } from '../event/cloud-event.js'
import { EventValidationError, type EventProblem } from '../event/event-errors.js'
import { validateEvent } from '../event/validate-event.js'

/** Checks one event against CloudEvents 1.0; returns it (frozen) or throws EventValidationError. */
export function validateOne(event: unknown): CloudEvent {
  const problems: EventProblem[] = []
  const valid = validateEvent(event, '', problems)
  if (valid === undefined) throw new EventValidationError(problems)
  return valid
}

/** All-or-nothing: one invalid event rejects the lot, its index named in the problems. */
export function validateAll(events: readonly unknown[]): CloudEvent[] {
  const problems: EventProblem[] = []
  const out: CloudEvent[] = []
  for (let i = 0; i < events.length; i++) {
    const valid = validateEvent(events[i], `[${i}].`, problems)
    if (valid !== undefined) out.push(valid)
  }
  if (problems.length > 0) throw new EventValidationError(problems)
  return out
}
