/**
 * Every error sepal throws on purpose is a SepalError with a stable `code`.
 * Codes are part of the public contract: docs/errors.md lists each one, and a test keeps the two in sync.
 */
export const ErrorCodes = {
  /** An event pattern is not valid EventBridge pattern syntax. */
  PATTERN_INVALID: 'SEPAL_ERR_PATTERN_INVALID',
  /** A CloudEvent (or a batch of them) breaks the CloudEvents 1.0 rules. */
  EVENT_INVALID: 'SEPAL_ERR_EVENT_INVALID',
  /** A configuration file or options object is invalid. */
  CONFIG_INVALID: 'SEPAL_ERR_CONFIG_INVALID',
  /** Options passed to a factory or method are invalid (a programmer error). */
  OPTIONS_INVALID: 'SEPAL_ERR_OPTIONS_INVALID',
  /** The engine already holds as many rules as its `maxRules` allows. */
  RULE_LIMIT: 'SEPAL_ERR_RULE_LIMIT',
  /** A rule with this name already exists. */
  RULE_DUPLICATE: 'SEPAL_ERR_RULE_DUPLICATE',
  /** A handler or target failed in a way that must not be retried. */
  PERMANENT: 'SEPAL_ERR_PERMANENT',
  /** A target did not finish within its timeout. */
  TARGET_TIMEOUT: 'SEPAL_ERR_TARGET_TIMEOUT',
  /** An input transformer is invalid. */
  TRANSFORM_INVALID: 'SEPAL_ERR_TRANSFORM_INVALID',
  /** A transport URL cannot be understood. */
  TRANSPORT_URL_INVALID: 'SEPAL_ERR_TRANSPORT_URL_INVALID',
  /** A transport could not reach its broker or storage. */
  TRANSPORT_UNAVAILABLE: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE',
  /** The transport, subscription or engine has been closed. */
  CLOSED: 'SEPAL_ERR_CLOSED',
  /** A payload is over the configured size limit. */
  PAYLOAD_TOO_LARGE: 'SEPAL_ERR_PAYLOAD_TOO_LARGE',
  /** Another worker holds the idempotency lease of this side effect; the attempt is retried later. */
  IN_PROGRESS: 'SEPAL_ERR_IN_PROGRESS',
  /** A dead letter could not be written; the original event was not acked and comes back. */
  DEAD_LETTER_FAILED: 'SEPAL_ERR_DEAD_LETTER_FAILED',
  /** A handler module named in the configuration cannot be loaded. */
  HANDLER_NOT_FOUND: 'SEPAL_ERR_HANDLER_NOT_FOUND',
  /** A content type (or its charset) that no CloudEvents binding here can read. */
  UNSUPPORTED_MEDIA_TYPE: 'SEPAL_ERR_UNSUPPORTED_MEDIA_TYPE',
  /** No HTTP endpoint has this path. */
  ROUTE_NOT_FOUND: 'SEPAL_ERR_ROUTE_NOT_FOUND',
  /** The HTTP endpoint exists but not for this method (the `Allow` header lists the ones it takes). */
  METHOD_NOT_ALLOWED: 'SEPAL_ERR_METHOD_NOT_ALLOWED',
  /** A webhook's signature (or bearer token) is missing or does not verify with any configured secret. */
  WEBHOOK_SIGNATURE_INVALID: 'SEPAL_ERR_WEBHOOK_SIGNATURE_INVALID',
  /** A webhook's signed timestamp is missing, malformed or outside the tolerance (a replay or a skewed clock). */
  WEBHOOK_TIMESTAMP_INVALID: 'SEPAL_ERR_WEBHOOK_TIMESTAMP_INVALID',
  /** An HTTP target's receiver failed in a retryable way (5xx, 429, network error, timeout). */
  HTTP_TARGET_FAILED: 'SEPAL_ERR_HTTP_TARGET_FAILED',
  /** An HTTP target's circuit breaker is open after consecutive failures; the attempt was not sent. */
  CIRCUIT_OPEN: 'SEPAL_ERR_CIRCUIT_OPEN',
  /** An HTTP target was disabled because its receiver answered 410 Gone. */
  TARGET_DISABLED: 'SEPAL_ERR_TARGET_DISABLED',
  /** An HTTP target's host resolved to a loopback, private, link-local or metadata address and is not allow-listed. */
  TARGET_ADDRESS_REFUSED: 'SEPAL_ERR_TARGET_ADDRESS_REFUSED',
  /** An HTTP request has no credentials, or ones no configured API key matches. */
  UNAUTHORIZED: 'SEPAL_ERR_UNAUTHORIZED',
  /** The API key is valid but its scope or allowed event sources do not cover this request. */
  FORBIDDEN: 'SEPAL_ERR_FORBIDDEN',
  /** The client (address or API key) is over its request rate; Retry-After says when to come back. */
  RATE_LIMITED: 'SEPAL_ERR_RATE_LIMITED',
  /** The server is at its cap of concurrent requests; retry shortly. */
  OVERLOADED: 'SEPAL_ERR_OVERLOADED',
  /** A JSON body nests arrays and objects deeper than the configured limit. */
  JSON_TOO_DEEP: 'SEPAL_ERR_JSON_TOO_DEEP',
  /** An unexpected failure inside sepal (a bug): the operation did not happen. */
  INTERNAL: 'SEPAL_ERR_INTERNAL',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

export interface SepalErrorOptions {
  cause?: unknown
}

export class SepalError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options: SepalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
  }
}

/**
 * Thrown by a handler to say "retrying will not help": the engine skips the remaining
 * attempts and dead-letters the event at once.
 */
export class PermanentError extends SepalError {
  constructor(message: string, options: SepalErrorOptions = {}) {
    super(ErrorCodes.PERMANENT, message, options)
  }
}

/** Options handed to a factory or method are wrong: fix the calling code. */
export class OptionsError extends SepalError {
  constructor(message: string, options: SepalErrorOptions = {}) {
    super(ErrorCodes.OPTIONS_INVALID, message, options)
  }
}
