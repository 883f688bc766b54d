import { describe, expect, it } from 'vitest'
import { patternView } from './cloud-event-view.js'
import { explain } from './explain.js'
import { PatternError } from './pattern-error.js'

describe('explain', () => {
  it('lists each failed condition with its path, pointer and the actual values', () => {
    const result = explain(
      { source: ['app.orders'], detail: { total: [{ numeric: ['>', 100] }], country: ['DE'] } },
      { source: 'app.orders', detail: { total: 50, country: ['FR', 'NL'] } },
    )
    expect(result.matches).toBe(false)
    expect(result.failures.map((f) => [f.path, f.pointer, f.actual])).toEqual([
      ['detail.total', '/detail/total', [50]],
      ['detail.country', '/detail/country', ['FR', 'NL']],
    ])
    expect(result.failures[0]?.message).toBe('detail.total: expected [{"numeric":[">",100]}], got 50')
  })
  it('says when a field is absent', () => {
    expect(explain({ a: ['x'] }, { b: 1 }).failures[0]?.message).toBe('a: expected ["x"], the field is absent')
  })
  it('lists the failures of every $or alternative when none holds, and nothing when one does', () => {
    const pattern = { $or: [{ a: ['x'] }, { b: ['y'] }] }
    expect(explain(pattern, { a: 'z', b: 'z' }).failures.map((f) => f.pointer)).toEqual(['/$or/0/a', '/$or/1/b'])
    expect(explain(pattern, { a: 'z', b: 'y' })).toEqual({ matches: true, failures: [] })
  })
  it('shows conditions from pattern text as plain JSON', () => {
    expect(explain('{"a": [{"prefix": "x"}]}', { a: 'y' }).failures[0]?.condition).toEqual([{ prefix: 'x' }])
  })
  it('reports an event that is not an object', () => {
    expect(explain({ a: ['x'] }, '[1]')).toMatchObject({ matches: false, failures: [{ message: 'the event is not a JSON object' }] })
  })
  it('throws PatternError for an invalid pattern', () => {
    expect(() => explain({ a: 'x' }, {})).toThrow(PatternError)
  })
})

describe('patternView', () => {
  const event = { specversion: '1.0', id: '1', source: 'app.orders', type: 'OrderPlaced', data: { total: 5 } } as const
  it('adds detail-type and detail for JSON data', () => {
    expect(patternView(event)).toMatchObject({ 'detail-type': 'OrderPlaced', detail: { total: 5 }, type: 'OrderPlaced', data: { total: 5 } })
    expect(patternView({ ...event, datacontenttype: 'application/cloudevents+json; charset=utf-8' })).toHaveProperty('detail')
  })
  it('leaves detail out when the data is not JSON', () => {
    expect(patternView({ ...event, datacontenttype: 'text/plain', data: 'hi' as never })).not.toHaveProperty('detail')
  })
  it('never overwrites an attribute the event has', () => {
    expect(patternView({ ...event, detail: 'mine' })['detail']).toBe('mine')
  })
})
