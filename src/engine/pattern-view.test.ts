import { describe, expect, it } from 'vitest'
import type { CloudEvent } from '../event/cloud-event.js'
import { envelopeView, needsEnvelopeView } from './pattern-view.js'

const event: CloudEvent = { specversion: '1.0', id: '1', source: 'app.orders', type: 'OrderPlaced', data: { total: 5 } }

describe('the pattern view of an event', () => {
  it('adds detail-type from type and detail from data, keeping every CloudEvent attribute', () => {
    expect(envelopeView(event)).toEqual({ ...event, 'detail-type': 'OrderPlaced', detail: { total: 5 } })
  })

  it('has no detail when the event has no data, even if an extension is named detail', () => {
    const view = envelopeView({ specversion: '1.0', id: '1', source: 's', type: 't', detail: 'extension' })
    expect('detail' in view).toBe(false)
  })

  it('is needed only by patterns that name detail, detail-type or a dotted detail key, also inside $or', () => {
    expect(needsEnvelopeView({ source: ['a'] })).toBe(false)
    expect(needsEnvelopeView({ 'detail-type': ['x'] })).toBe(true)
    expect(needsEnvelopeView('{"detail":{"a":[1]}}')).toBe(true)
    expect(needsEnvelopeView({ 'detail.a': [1] })).toBe(true)
    expect(needsEnvelopeView({ $or: [{ source: ['a'] }, { detail: { a: [1] } }] })).toBe(true)
    expect(needsEnvelopeView({ data: { detail: [1] } })).toBe(false)
  })
})
