import { PermanentError } from '../errors.js'

/** How often and how patiently a failing target is retried. Rule-level, overridable per target. */
export interface RetryPolicy {
  /** Attempts in all, the first included. 1 means "never retry". */
  readonly maxAttempts: number
  /** Upper bound of the first backoff window. */
  readonly initialDelayMs: number
  /** Upper bound of any backoff window (and of an honoured Retry-After). */
  readonly maxDelayMs: number
  /** Give up on events older than this (by their `time`, else their first failure). Infinity: never. */
  readonly maxAgeMs: number
  /** Decides whether an error is worth retrying. Default: everything but PermanentError. */
  readonly retryable?: (error: unknown) => boolean
}

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 200,
  maxDelayMs: 60_000,
  maxAgeMs: 24 * 60 * 60 * 1000,
})

export type GiveUpReason = 'permanent' | 'not-retryable' | 'exhausted' | 'too-old'

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: GiveUpReason }

export interface RetryInput {
  /** The attempt that just failed, 1 for the first. */
  readonly attempt: number
  readonly error: unknown
  /** When the event happened or first failed (ms since epoch), for `maxAgeMs`. */
  readonly since?: number
  readonly now: number
  /** A number in [0, 1): injectable so tests are deterministic. */
  readonly random: number
}

/**
 * Decides what happens after a failed attempt: exponential backoff with "full jitter" (a delay drawn
 * uniformly from [0, min(max, initial · 2^(attempt-1))], as in the AWS Architecture Blog's "Exponential
 * Backoff And Jitter"), which spreads retries of many failing events instead of synchronising them.
 * A Retry-After carried by the error replaces the jittered delay (capped by `maxDelayMs`).
 */
export function nextRetry(policy: RetryPolicy, input: RetryInput): RetryDecision {
  const { attempt, error, now } = input
  if (error instanceof PermanentError) return { retry: false, reason: 'permanent' }
  if (policy.retryable && !policy.retryable(error)) return { retry: false, reason: 'not-retryable' }
  if (attempt >= policy.maxAttempts) return { retry: false, reason: 'exhausted' }
  const retryAfterMs = retryAfterOf(error, now)
  const window = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1))
  const delayMs = retryAfterMs !== undefined ? Math.min(policy.maxDelayMs, retryAfterMs) : Math.floor(input.random * window)
  if (input.since !== undefined && now + delayMs - input.since > policy.maxAgeMs) return { retry: false, reason: 'too-old' }
  return { retry: true, delayMs }
}

/** Part of a policy, as a rule or a target gives it (undefined fields inherit). */
export type RetryPolicyOverride = { readonly [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined }

/** Merges a target's overrides onto its rule's policy onto the defaults. */
export function resolvePolicy(...layers: ReadonlyArray<RetryPolicyOverride | undefined>): RetryPolicy {
  let policy: RetryPolicy = defaultRetryPolicy
  for (const layer of layers) {
    if (!layer) continue
    const defined = Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)) as Partial<RetryPolicy>
    policy = { ...policy, ...defined }
  }
  return policy
}

/**
 * Parses an HTTP Retry-After value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Returns milliseconds from `now`, never negative, or undefined when the value is not understood.
 */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  if (Number.isNaN(at) || !/[a-z]/i.test(trimmed)) return undefined
  return Math.max(0, at - now)
}

function retryAfterOf(error: unknown, now: number): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { retryAfterMs, retryAfter } = error as { retryAfterMs?: unknown; retryAfter?: unknown }
  if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return retryAfterMs
  if (typeof retryAfter === 'string') return parseRetryAfter(retryAfter, now)
  return undefined
}
