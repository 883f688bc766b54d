import { OptionsError } from '../../errors.js'

export interface LimitOptions {
  /** Requests per second allowed per client address and, separately, per API key (token bucket). Default: no limit. */
  readonly requestsPerSecond?: number
  /** Requests a client may make at once above the steady rate. Default: requestsPerSecond (at least 1). */
  readonly burst?: number
  /** Requests served at once; more get 503 with Retry-After. Default: no cap. */
  readonly maxConcurrentRequests?: number
  /** Deepest nesting of arrays and objects in a JSON body of POST /events. Default: no check. */
  readonly maxJsonDepth?: number
}

export interface ResolvedLimits {
  readonly requestsPerSecond: number | undefined
  readonly burst: number
  readonly maxConcurrentRequests: number | undefined
  readonly maxJsonDepth: number | undefined
}

function positive(name: string, value: number | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new OptionsError(`limit "${name}" must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`)
  }
  return value
}

export function resolveLimits(options: LimitOptions | undefined): ResolvedLimits {
  const requestsPerSecond = positive('requestsPerSecond', options?.requestsPerSecond, false)
  const burst = positive('burst', options?.burst, true) ?? Math.max(1, Math.ceil(requestsPerSecond ?? 1))
  return {
    requestsPerSecond,
    burst,
    maxConcurrentRequests: positive('maxConcurrentRequests', options?.maxConcurrentRequests, true),
    maxJsonDepth: positive('maxJsonDepth', options?.maxJsonDepth, true),
  }
}
