import { ErrorCodes, PermanentError, SepalError } from '../errors.js'

/** The receiver failed in a way worth retrying: 5xx, 429, 408, no connection, or a timeout. */
export class HttpTargetError extends SepalError {
  /** When the receiver said (Retry-After) or the breaker knows when to try again; honoured by the retry policy. */
  readonly retryAfterMs: number | undefined
  constructor(
    message: string,
    readonly status: number | undefined,
    retryAfterMs: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(ErrorCodes.HTTP_TARGET_FAILED, message, options)
    this.retryAfterMs = retryAfterMs
  }
}

/** The breaker is open: nothing was sent. Retryable, after the breaker's cool-down. */
export class CircuitOpenError extends SepalError {
  constructor(
    target: string,
    readonly retryAfterMs: number,
  ) {
    super(ErrorCodes.CIRCUIT_OPEN, `target "${target}" is paused after repeated failures; it is tried again in ${retryAfterMs} ms`)
  }
}

/** The receiver answered with a status that will be the same next time (3xx, 4xx other than 408/410/429). */
export class HttpTargetRejectedError extends PermanentError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

/** The receiver answered 410 Gone: the target stays disabled until restart and every event is dead-lettered. */
export class TargetDisabledError extends PermanentError {
  override readonly code = ErrorCodes.TARGET_DISABLED
  constructor(target: string, url: string) {
    super(`target "${target}" is disabled: ${url} answered 410 Gone; fix or remove the target, restart, and redrive the dead letters`)
  }
}
