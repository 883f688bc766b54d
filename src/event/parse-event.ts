import type { CloudEvent } from './cloud-event.js'
import { EventValidationError, type EventProblem } from './event-errors.js'
import { describeJsonError } from './json-error.js'
import { validateEvent } from './validate-event.js'

/**
 * Reads one CloudEvent in the JSON format (`application/cloudevents+json`), from text or an already parsed
 * value, and checks every CloudEvents 1.0 rule. Returns a frozen event; `null` attributes are dropped (unset).
 * Throws EventValidationError listing every problem, or for malformed JSON with its line and column.
 */
export function parseEvent(input: string | object): CloudEvent {
  const owned = typeof input === 'string'
  const value = owned ? parseJson(input) : input
  const problems: EventProblem[] = []
  const event = validateEvent(value, '', problems, owned)
  if (event === undefined) throw new EventValidationError(problems)
  return event
}

/**
 * Reads a batch (`application/cloudevents-batch+json`): a JSON array of events, possibly empty. All or nothing:
 * one bad entry fails the batch, and each problem names its entry, e.g. `[3].time`.
 */
export function parseBatch(input: string | readonly unknown[]): CloudEvent[] {
  const owned = typeof input === 'string'
  const value = owned ? parseJson(input) : input
  if (!Array.isArray(value)) {
    const got = typeof value === 'object' && value !== null ? 'an object (send a single event as application/cloudevents+json)' : JSON.stringify(value)
    throw new EventValidationError([{ attribute: '', message: `a batch must be a json array of events, got ${got}` }])
  }
  const problems: EventProblem[] = []
  const events: CloudEvent[] = new Array<CloudEvent>(value.length)
  for (let i = 0; i < value.length; i++) {
    const event = validateEvent(value[i], `[${i}].`, problems, owned)
    if (event !== undefined) events[i] = event
  }
  if (problems.length > 0) throw new EventValidationError(problems)
  return events
}

/** JSON.parse that fails with an EventValidationError saying where the text breaks. */
export function parseJson(text: string, attribute = ''): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const fallback = error instanceof Error ? error.message : String(error)
    throw new EventValidationError([{ attribute, message: describeJsonError(text, fallback) }], { cause: error })
  }
}
