import { describe, expect, it } from 'vitest'
import type { CloudEvent } from '../event/cloud-event.js'
import { PermanentError } from '../errors.js'
import { DeadLetterAttributes, fromDeadLetter, redriveCount, toDeadLetter } from './dead-letter.js'
import { defaultIdempotencyKey } from './idempotency.js'

const event: CloudEvent = Object.freeze({
  specversion: '1.0',
  id: 'order-1',
  source: 'app.orders',
  type: 'OrderPlaced',
  data: { total: 12 },
  traceparent: '00-abc-def-01',
})

const cause = {
  error: new PermanentError('smtp refused the address'),
  rule: 'order-email',
  target: 'send',
  attempts: 3,
  firstFailedAt: Date.UTC(2026, 0, 1, 10),
  lastFailedAt: Date.UTC(2026, 0, 1, 11),
}

describe('toDeadLetter', () => {
  it('keeps id, source, data and extensions and says why in lower-case extension attributes', () => {
    const dead = toDeadLetter(event, cause)
    expect(dead).toMatchObject({ id: 'order-1', source: 'app.orders', data: { total: 12 }, traceparent: '00-abc-def-01' })
    expect(dead).toMatchObject({
      sepalerror: 'smtp refused the address',
      sepalerrorclass: 'PermanentError',
      sepalerrorcode: 'SEPAL_ERR_PERMANENT',
      sepalrule: 'order-email',
      sepaltarget: 'send',
      sepalattempts: 3,
      sepalfirstfailedat: '2026-01-01T10:00:00.000Z',
      sepalfailedat: '2026-01-01T11:00:00.000Z',
    })
    for (const name of Object.keys(dead)) expect(name === 'data' || /^[a-z0-9]+$/.test(name)).toBe(true)
  })

  it('records thrown non-errors and cuts very long messages', () => {
    const dead = toDeadLetter(event, { ...cause, error: 'x'.repeat(5000) })
    expect(dead[DeadLetterAttributes.errorClass]).toBe('string')
    expect(String(dead[DeadLetterAttributes.error]).length).toBeLessThan(2100)
  })
})

describe('fromDeadLetter', () => {
  it('strips the failure attributes and counts redrives', () => {
    const once = fromDeadLetter(toDeadLetter(event, cause))
    expect(once).toEqual({ ...event, sepalredrives: 1 })
    const twice = fromDeadLetter(toDeadLetter(once, cause))
    expect(redriveCount(twice)).toBe(2)
  })
})

describe('defaultIdempotencyKey', () => {
  it('does not let a separator in source and id collide', () => {
    expect(defaultIdempotencyKey({ source: 'a|b', id: 'c' })).not.toBe(defaultIdempotencyKey({ source: 'a', id: 'b|c' }))
    expect(defaultIdempotencyKey({ source: 's', id: '1' })).toBe(defaultIdempotencyKey({ source: 's', id: '1' }))
  })
})
