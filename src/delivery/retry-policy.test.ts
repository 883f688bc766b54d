import { describe, expect, it } from 'vitest'
import { PermanentError } from '../errors.js'
import { defaultRetryPolicy, nextRetry, parseRetryAfter, resolvePolicy } from './retry-policy.js'

const policy = resolvePolicy({ maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 1000, maxAgeMs: 10_000 })
const now = Date.UTC(2026, 0, 1)

describe('nextRetry', () => {
  it('draws the delay from a window that doubles per attempt (full jitter)', () => {
    expect(nextRetry(policy, { attempt: 1, error: new Error('x'), now, random: 0.999 })).toEqual({ retry: true, delayMs: 99 })
    expect(nextRetry(policy, { attempt: 3, error: new Error('x'), now, random: 0.5 })).toEqual({ retry: true, delayMs: 200 })
    expect(nextRetry(policy, { attempt: 1, error: new Error('x'), now, random: 0 })).toEqual({ retry: true, delayMs: 0 })
  })

  it('caps the window at maxDelayMs', () => {
    const wide = resolvePolicy(policy, { maxAttempts: 50 })
    expect(nextRetry(wide, { attempt: 30, error: new Error('x'), now, random: 0.5 })).toEqual({ retry: true, delayMs: 500 })
  })

  it('gives up after maxAttempts', () => {
    expect(nextRetry(policy, { attempt: 4, error: new Error('x'), now, random: 0.5 })).toEqual({ retry: false, reason: 'exhausted' })
  })

  it('never retries a PermanentError', () => {
    expect(nextRetry(policy, { attempt: 1, error: new PermanentError('bad'), now, random: 0.5 })).toEqual({ retry: false, reason: 'permanent' })
  })

  it('asks the retryable predicate', () => {
    const picky = resolvePolicy(policy, { retryable: (e) => e instanceof TypeError })
    expect(nextRetry(picky, { attempt: 1, error: new Error('x'), now, random: 0.5 })).toEqual({ retry: false, reason: 'not-retryable' })
    expect(nextRetry(picky, { attempt: 1, error: new TypeError('x'), now, random: 0.5 }).retry).toBe(true)
  })

  it('gives up on an event that would be older than maxAgeMs at its next attempt', () => {
    expect(nextRetry(policy, { attempt: 1, error: new Error('x'), now, since: now - 10_001, random: 0 })).toEqual({ retry: false, reason: 'too-old' })
    expect(nextRetry(policy, { attempt: 1, error: new Error('x'), now, since: now - 9_000, random: 0 }).retry).toBe(true)
  })

  it('honours a Retry-After carried by the error, capped by maxDelayMs', () => {
    const limited = Object.assign(new Error('429'), { retryAfter: '0.5' })
    expect(nextRetry(policy, { attempt: 1, error: Object.assign(new Error('429'), { retryAfterMs: 700 }), now, random: 0 })).toEqual({ retry: true, delayMs: 700 })
    expect(nextRetry(policy, { attempt: 1, error: Object.assign(new Error('429'), { retryAfter: '120' }), now, random: 0 })).toEqual({ retry: true, delayMs: 1000 })
    expect(nextRetry(policy, { attempt: 1, error: limited, now, random: 0.5 })).toEqual({ retry: true, delayMs: 50 })
  })
})

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates and rejects the rest', () => {
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000)
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-1', now)).toBeUndefined()
  })
})

describe('resolvePolicy', () => {
  it('layers target over rule over defaults and ignores undefined overrides', () => {
    const rule = { maxAttempts: 3, initialDelayMs: 50 }
    const resolved = resolvePolicy(rule, { maxAttempts: 7, initialDelayMs: undefined })
    expect(resolved).toMatchObject({ maxAttempts: 7, initialDelayMs: 50, maxDelayMs: defaultRetryPolicy.maxDelayMs })
  })
})
