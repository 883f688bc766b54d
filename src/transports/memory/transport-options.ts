import { ErrorCodes, OptionsError, SepalError } from '../../errors.js'

// Checks of the arguments every transport takes, shared so that all answer alike.

export const DEFAULT_MAX_IN_FLIGHT = 64

/** Checks `maxInFlight` and returns it or the default. */
export function resolveMaxInFlight(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_IN_FLIGHT
  if (!Number.isInteger(value) || value < 1) {
    throw new OptionsError(`maxInFlight must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

/** The error a closed transport answers with. */
export function closedError(what: string): SepalError {
  return new SepalError(ErrorCodes.CLOSED, `${what} is closed; create a new one instead of reusing it`)
}

export function checkTopic(topic: unknown): void {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new OptionsError(`topic must be a non-empty string, got ${JSON.stringify(topic)}`)
  }
}

export function checkGroup(group: unknown): void {
  if (typeof group !== 'string' || group.length === 0) {
    throw new OptionsError(`group must be a non-empty string, got ${JSON.stringify(group)}; name the consumer group`)
  }
}

export function checkVisibility(ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new OptionsError(`visibilityTimeoutMs must be a positive number of milliseconds, got ${JSON.stringify(ms)}`)
  }
  return ms
}
