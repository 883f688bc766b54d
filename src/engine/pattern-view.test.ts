import { describe, expect, it } from 'vitest'
import type { CloudEvent } from '../event/cloud-event.js'
import { compileMatcher } from '../pattern/compiled-matcher.js'
import { patternView } from '../pattern/cloud-event-view.js'
import { createSlimView, needsEnvelopeView, topLevelNames } from './pattern-view.js'

const event: CloudEvent = { specversion: '1.0', id: '1', source: 'app.orders', type: 'OrderPlaced', data: { total: 5 } }

describe('which patterns need the envelope names', () => {
  it('is only those that name detail, detail-type or a dotted detail key, also inside $or', () => {
    expect(needsEnvelopeView({ source: ['a'] })).toBe(false)
    expect(needsEnvelopeView({ 'detail-type': ['x'] })).toBe(true)
    expect(needsEnvelopeView('{"detail":{"a":[1]}}')).toBe(true)
    expect(needsEnvelopeView({ 'detail.a': [1] })).toBe(true)
    expect(needsEnvelopeView({ $or: [{ source: ['a'] }, { detail: { a: [1] } }] })).toBe(true)
    expect(needsEnvelopeView({ data: { detail: [1] } })).toBe(false)
  })
})

describe('the slim view', () => {
  const patterns = [
    { source: ['app.orders'], 'detail-type': ['OrderPlaced'] },
    { detail: { total: [{ numeric: ['>', 100] }] } },
    { 'detail.total': [120] },
    { $or: [{ subject: ['x'] }, { 'detail-type': ['OrderPlaced'] }] },
    { detail: { total: [{ exists: false }] } },
    { tenant: ['acme'], detail: { items: { sku: ['A'] } } },
  ]
  const events: CloudEvent[] = [
    event,
    { ...event, data: { total: 99, items: [{ sku: 'A' }] }, tenant: 'acme' },
    { specversion: '1.0', id: '2', source: 's', type: 'Other', subject: 'x' },
    { specversion: '1.0', id: '3', source: 's', type: 'OrderPlaced', data_base64: 'AA==' },
    { ...event, datacontenttype: 'text/plain', data: 'total' },
    { ...event, datacontenttype: 'application/cloudevents+json; charset=utf-8' },
    { ...event, detail: { total: 120 }, data: { total: 1 } },
  ]

  it('matches exactly what the full pattern view matches', () => {
    const rules = patterns.map((p, i) => [i, p] as const)
    const matcher = compileMatcher(rules)
    const slim = createSlimView(patterns.flatMap((p) => topLevelNames(p)))
    for (const e of events) expect(matcher.match(slim(e))).toEqual(matcher.match(patternView(e)))
  })

  it('keeps detail for JSON data only, and never overwrites an attribute the event has', () => {
    const slim = createSlimView(['detail', 'detail-type'])
    expect(slim({ ...event, datacontenttype: 'text/plain', data: 'hi' })).toEqual({ 'detail-type': 'OrderPlaced' })
    expect(slim({ ...event, detail: 'extension' })).toEqual({ 'detail-type': 'OrderPlaced', detail: 'extension' })
  })

  it('copies only the names patterns mention', () => {
    const slim = createSlimView(['source', 'detail-type', 'source'])
    expect(slim(event)).toEqual({ source: 'app.orders', 'detail-type': 'OrderPlaced' })
  })
})
