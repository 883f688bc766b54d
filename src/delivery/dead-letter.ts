import type { CloudEvent } from '../event/cloud-event.js'

/** Why an event was given up on, as recorded on its dead-lettered copy. */
export interface DeadLetterCause {
  readonly error: unknown
  readonly rule: string
  readonly target: string
  readonly attempts: number
  /** ms since epoch */
  readonly firstFailedAt: number
  /** ms since epoch */
  readonly lastFailedAt: number
}

/** Extension attribute names that sepal writes on dead-lettered events (CloudEvents-legal: a-z0-9). */
export const DeadLetterAttributes = {
  error: 'sepalerror',
  errorClass: 'sepalerrorclass',
  errorCode: 'sepalerrorcode',
  rule: 'sepalrule',
  target: 'sepaltarget',
  attempts: 'sepalattempts',
  firstFailedAt: 'sepalfirstfailedat',
  failedAt: 'sepalfailedat',
  redrives: 'sepalredrives',
} as const

/** Long stack-less messages are cut so a dead letter stays well under event size limits. */
const MAX_ERROR_LENGTH = 2048

/**
 * The dead-lettered copy of an event: the original `id`, `source`, data and every attribute, plus
 * extension attributes saying why. Keeping the id means a redrive is still recognised by idempotency.
 */
export function toDeadLetter(event: CloudEvent, cause: DeadLetterCause): CloudEvent {
  const { error } = cause
  const message = error instanceof Error ? error.message : String(error)
  const errorClass = error instanceof Error ? error.name : typeof error
  const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined
  const copy: Record<string, unknown> = {
    ...event,
    [DeadLetterAttributes.error]: message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message,
    [DeadLetterAttributes.errorClass]: errorClass,
    [DeadLetterAttributes.rule]: cause.rule,
    [DeadLetterAttributes.target]: cause.target,
    [DeadLetterAttributes.attempts]: clampInt32(cause.attempts),
    [DeadLetterAttributes.firstFailedAt]: new Date(cause.firstFailedAt).toISOString(),
    [DeadLetterAttributes.failedAt]: new Date(cause.lastFailedAt).toISOString(),
  }
  if (code !== undefined) copy[DeadLetterAttributes.errorCode] = code
  return Object.freeze(copy) as CloudEvent
}

/** How many times a dead letter has been redriven already (0 for a fresh one). */
export function redriveCount(event: CloudEvent): number {
  const value = event[DeadLetterAttributes.redrives]
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0
}

/**
 * The event to publish again on redrive: the original attributes with the failure attributes removed
 * and the redrive count raised, so repeated redrives are visible.
 */
export function fromDeadLetter(event: CloudEvent): CloudEvent {
  const copy: Record<string, unknown> = { ...event }
  for (const name of Object.values(DeadLetterAttributes)) delete copy[name]
  copy[DeadLetterAttributes.redrives] = clampInt32(redriveCount(event) + 1)
  return Object.freeze(copy) as CloudEvent
}

function clampInt32(n: number): number {
  return Math.max(0, Math.min(2_147_483_647, Math.trunc(n)))
}
