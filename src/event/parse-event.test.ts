import { describe, expect, it } from 'vitest'
import { ErrorCodes } from '../errors.js'
import { EventValidationError, type EventProblem } from './event-errors.js'
import { parseBatch, parseEvent } from './parse-event.js'

const minimal = { specversion: '1.0', id: 'A234-1234-1234', source: 'https://example.com/orders', type: 'com.example.order.placed' }

function problemsOf(run: () => unknown): EventProblem[] {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError)
    expect((error as EventValidationError).code).toBe(ErrorCodes.EVENT_INVALID)
    return [...(error as EventValidationError).problems]
  }
  throw new Error('expected an EventValidationError')
}

function attributesAtFault(input: object): string[] {
  return problemsOf(() => parseEvent(input)).map((p) => p.attribute)
}

describe('parseEvent', () => {
  it('reads a minimal event from text and returns it frozen', () => {
    const event = parseEvent(JSON.stringify(minimal))
    expect(event).toEqual(minimal)
    expect(Object.isFrozen(event)).toBe(true)
  })

  it('accepts every optional attribute and extension type the spec allows', () => {
    const full = {
      ...minimal,
      subject: 'order/42',
      time: '2018-04-05T17:31:00Z',
      datacontenttype: 'application/json; charset=utf-8',
      dataschema: 'https://example.com/schemas/order.json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      priority: 7,
      negative: -2147483648,
      urgent: false,
      data: { order: { id: 42, items: [1, 2] } },
    }
    expect(parseEvent(full)).toEqual(full)
  })

  it('freezes data deeply so one target cannot change what the next one sees', () => {
    const event = parseEvent({ ...minimal, data: { order: { items: [1] } } }) as { data: { order: { items: number[] } } }
    expect(Object.isFrozen(event.data.order.items)).toBe(true)
    expect(() => event.data.order.items.push(2)).toThrow(TypeError)
  })

  it('treats a null attribute as unset but keeps "data": null as an explicit payload', () => {
    const event = parseEvent({ ...minimal, subject: null, traceparent: null, data: null })
    expect('subject' in event).toBe(false)
    expect('traceparent' in event).toBe(false)
    expect(event.data).toBeNull()
  })

  it('keeps data_base64 and a string in data as they are, never parsing the string again', () => {
    expect(parseEvent({ ...minimal, data_base64: 'AQID' }).data_base64).toBe('AQID')
    expect(parseEvent({ ...minimal, data: '{"a":1}' }).data).toBe('{"a":1}')
  })

  it('turns bytes in data into data_base64, and accepts a data_base64 that says the same', () => {
    const event = parseEvent({ ...minimal, data: new Uint8Array([1, 2, 3]) })
    expect(event.data_base64).toBe('AQID')
    expect('data' in event).toBe(false)
    expect(parseEvent({ ...minimal, data: new Uint8Array([1, 2, 3]), data_base64: 'AQID' }).data_base64).toBe('AQID')
    expect(attributesAtFault({ ...minimal, data: new Uint8Array([1]), data_base64: 'AQID' })).toEqual(['data_base64'])
  })

  it('returns an event it already validated unchanged', () => {
    const event = parseEvent(minimal)
    expect(parseEvent(event)).toBe(event)
  })

  it.each(['specversion', 'id', 'source', 'type'])('requires %s', (name) => {
    const { [name]: _removed, ...rest } = minimal as Record<string, string>
    expect(problemsOf(() => parseEvent(rest))).toEqual([{ attribute: name, message: expect.stringContaining('is required') }])
  })

  it.each(['id', 'source', 'type', 'subject'])('rejects an empty %s', (name) => {
    expect(attributesAtFault({ ...minimal, [name]: '' })).toEqual([name])
  })

  it.each([
    ['specversion', '0.3'],
    ['specversion', 1],
    ['id', 42],
    ['type', ['a']],
    ['subject', true],
    ['id', 'tab\tinside'],
    ['source', 'not a uri'],
    ['time', 'lunchtime'],
    ['time', 1712345678],
    ['datacontenttype', 'json'],
    ['dataschema', '/relative/schema'],
    ['data_base64', 'not base64!'],
    ['data_base64', 42],
  ])('rejects %s = %j', (name, value) => {
    expect(attributesAtFault({ ...minimal, [name]: value })).toEqual([name])
  })

  it.each(['Upper', 'snake_case', 'dash-ed', 'dot.ted', 'ümlaut'])('rejects the extension name %s', (name) => {
    expect(attributesAtFault({ ...minimal, [name]: 'x' })).toEqual([name])
  })

  it.each([
    ['a float', 1.5],
    ['an integer above 32 bits', 2147483648],
    ['an object', { a: 1 }],
    ['an array', [1]],
  ])('rejects %s as an extension value', (_what, value) => {
    expect(attributesAtFault({ ...minimal, ext: value })).toEqual(['ext'])
  })

  it('rejects data and data_base64 together', () => {
    const problems = problemsOf(() => parseEvent({ ...minimal, data: 'x', data_base64: 'AQID' }))
    expect(problems).toEqual([{ attribute: 'data_base64', message: expect.stringContaining('must not both be present') }])
  })

  it('lists every problem at once, each with its attribute, and summarises them in the message', () => {
    let error: EventValidationError | undefined
    try {
      parseEvent({ specversion: '0.9', id: '', source: 'a b', time: 'lunchtime', Bad: 1, ext: [1], dataschema: 'x', datacontenttype: '?' })
    } catch (e) {
      error = e as EventValidationError
    }
    expect(error?.problems.map((p) => p.attribute).sort()).toEqual(
      ['specversion', 'id', 'source', 'time', 'Bad', 'ext', 'dataschema', 'datacontenttype', 'type'].sort(),
    )
    expect(error?.message).toMatch(/^invalid cloudevent \(9 problems\): /)
    expect(error?.message).toContain('time: must be an RFC 3339 timestamp')
    expect(error?.message).toContain('"lunchtime"')
  })

  it('rejects values that are not objects, pointing arrays to the batch format', () => {
    expect(problemsOf(() => parseEvent('42'))[0]?.message).toContain('must be a json object, got 42')
    expect(problemsOf(() => parseEvent('[]'))[0]?.message).toContain('application/cloudevents-batch+json')
    expect(problemsOf(() => parseEvent('null'))[0]?.attribute).toBe('')
  })

  it('explains malformed json with its line, column and position', () => {
    expect(problemsOf(() => parseEvent('{\n  "id": "1",\n  "source" "x"\n}'))).toEqual([
      { attribute: '', message: 'malformed json at line 3, column 12 (position 26): expected \':\' after a property name, got "\\""' },
    ])
    expect(problemsOf(() => parseEvent(''))[0]?.message).toContain('the text is empty')
    expect(problemsOf(() => parseEvent('{"a":1'))[0]?.message).toContain('unexpected end of input')
    expect(problemsOf(() => parseEvent('{"a":tru}'))[0]?.message).toContain('position 5')
  })

  it('never treats a member called __proto__ as the prototype', () => {
    const problems = problemsOf(() => parseEvent(`{"specversion":"1.0","id":"1","source":"/s","type":"t","__proto__":{"polluted":true}}`))
    expect(problems.map((p) => p.attribute)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('parseBatch', () => {
  it('reads an array of events, the empty batch included', () => {
    expect(parseBatch('[]')).toEqual([])
    const events = parseBatch(JSON.stringify([minimal, { ...minimal, id: '2' }]))
    expect(events.map((e) => e.id)).toEqual(['A234-1234-1234', '2'])
  })

  it('fails the whole batch and names the index of each bad entry', () => {
    const batch = [minimal, { ...minimal, time: 'x' }, minimal, { ...minimal, id: '' }, 'nope']
    expect(problemsOf(() => parseBatch(JSON.stringify(batch))).map((p) => p.attribute)).toEqual(['[1].time', '[3].id', '[4]'])
  })

  it('rejects a single event object with a pointer to the structured format', () => {
    expect(problemsOf(() => parseBatch(JSON.stringify(minimal)))[0]?.message).toContain('application/cloudevents+json')
  })
})

describe('deeply nested data', () => {
  it('is frozen all the way down without overflowing the stack', () => {
    const depth = 50_000
    const text = `{"specversion":"1.0","id":"1","source":"/s","type":"t","data":${'['.repeat(depth)}${']'.repeat(depth)}}`
    let innermost = parseEvent(text).data as unknown[]
    for (let i = 1; i < depth; i++) innermost = innermost[0] as unknown[]
    expect(Object.isFrozen(innermost)).toBe(true)
  })
})
