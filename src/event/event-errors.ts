import { ErrorCodes, SepalError, type SepalErrorOptions } from '../errors.js'

/** One thing wrong with an event: the attribute at fault (`''` for the event as a whole) and why. */
export interface EventProblem {
  /** Attribute name, prefixed with the batch index when in a batch (`[3].time`); `''` = the whole input. */
  readonly attribute: string
  readonly message: string
}

// Enough problems to fix a real event; a hostile input with thousands of bad keys gets a bounded message.
const PROBLEMS_IN_MESSAGE = 10

/** An event (or a batch, or an HTTP request) breaks CloudEvents 1.0. `problems` lists every fault found. */
export class EventValidationError extends SepalError {
  readonly problems: readonly EventProblem[]

  constructor(problems: readonly EventProblem[], options: SepalErrorOptions = {}) {
    super(ErrorCodes.EVENT_INVALID, summarise(problems), options)
    this.problems = Object.freeze(problems.slice())
  }
}

/** The content type (or its charset) is not one this binding reads; an HTTP server answers 415. */
export class UnsupportedMediaTypeError extends SepalError {
  readonly contentType: string

  constructor(contentType: string, message: string, options: SepalErrorOptions = {}) {
    super(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, message, options)
    this.contentType = contentType
  }
}

function summarise(problems: readonly EventProblem[]): string {
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map((p) => (p.attribute === '' ? p.message : `${p.attribute}: ${p.message}`))
  const more = problems.length > PROBLEMS_IN_MESSAGE ? `; and ${problems.length - PROBLEMS_IN_MESSAGE} more` : ''
  const noun = problems.length === 1 ? 'problem' : 'problems'
  return `invalid cloudevent (${problems.length} ${noun}): ${shown.join('; ')}${more}`
}

/** Render a bad value for a message: JSON-quoted and cut short so a huge value cannot flood a log. */
export function quote(value: unknown): string {
  let text: string
  if (value === undefined) return 'undefined'
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
