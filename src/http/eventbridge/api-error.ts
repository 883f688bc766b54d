/**
 * An EventBridge API failure in AWS's JSON 1.1 shape: `{"__type": "...", "message": "..."}` with a 400
 * (or 500) status, which the AWS SDKs turn into their typed exceptions.
 */
export class EventBridgeApiError extends Error {
  readonly type: string
  readonly status: number

  constructor(type: string, message: string, status = 400) {
    super(message)
    this.name = 'EventBridgeApiError'
    this.type = type
    this.status = status
  }
}

export function validationError(message: string): EventBridgeApiError {
  return new EventBridgeApiError('ValidationException', message)
}

export function notFoundError(message: string): EventBridgeApiError {
  return new EventBridgeApiError('ResourceNotFoundException', message)
}

export function invalidPatternError(message: string): EventBridgeApiError {
  return new EventBridgeApiError('InvalidEventPatternException', message)
}

export function alreadyExistsError(message: string): EventBridgeApiError {
  return new EventBridgeApiError('ResourceAlreadyExistsException', message)
}

export function limitExceededError(message: string): EventBridgeApiError {
  return new EventBridgeApiError('LimitExceededException', message)
}
