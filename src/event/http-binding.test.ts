import { describe, expect, it } from 'vitest'
import { ErrorCodes } from '../errors.js'
import type { CloudEvent } from './cloud-event.js'
import { createEvent } from './create-event.js'
import { EventValidationError, UnsupportedMediaTypeError } from './event-errors.js'
import { fromHttp } from './http-read.js'
import { toHttp, toHttpBatch } from './http-write.js'

const required = { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/orders', 'ce-type': 'com.example.order' }

function errorOf(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

function attributesAtFault(run: () => unknown): string[] {
  const error = errorOf(run)
  expect(error).toBeInstanceOf(EventValidationError)
  return (error as EventValidationError).problems.map((p) => p.attribute)
}

describe('fromHttp, binary mode', () => {
  it('reads ce- headers in any case, Content-Type as datacontenttype and JSON data', () => {
    const [event] = fromHttp({
      headers: { 'CE-SpecVersion': '1.0', 'Ce-Id': '1', 'ce-source': '/orders', 'CE-TYPE': 'com.example.order', 'Content-Type': 'application/json' },
      body: '{"total":12.5}',
    })
    expect(event).toEqual({ specversion: '1.0', id: '1', source: '/orders', type: 'com.example.order', datacontenttype: 'application/json', data: { total: 12.5 } })
  })

  it('percent-decodes header values, the spec example and a literal % included', () => {
    const [event] = fromHttp({ headers: { ...required, 'ce-note': 'Euro%20%E2%82%AC%20%F0%9F%98%80', 'ce-ratio': '100%25' }, body: '' })
    expect(event?.['note']).toBe('Euro € 😀')
    expect(event?.['ratio']).toBe('100%')
  })

  it('keeps text for textual types and base64 for other bytes, and reads an empty body as no data', () => {
    const bytes = new Uint8Array([0, 255, 1])
    expect(fromHttp({ headers: { ...required, 'content-type': 'text/plain' }, body: new TextEncoder().encode('hé') })[0]?.data).toBe('hé')
    const binary = fromHttp({ headers: { ...required, 'content-type': 'application/octet-stream' }, body: bytes })[0]
    expect(binary?.data_base64).toBe('AP8B')
    expect(fromHttp({ headers: { ...required }, body: bytes })[0]?.data_base64).toBe('AP8B')
    const empty = fromHttp({ headers: { ...required, 'content-type': 'application/json' }, body: '' })[0]
    expect(empty !== undefined && 'data' in empty).toBe(false)
  })

  it('decodes a latin1 body when the content type says so', () => {
    const body = Buffer.from('café', 'latin1')
    expect(fromHttp({ headers: { ...required, 'content-type': 'text/plain; charset=ISO-8859-1' }, body })[0]?.data).toBe('café')
  })

  it('lists every header problem together with the attribute problems', () => {
    const attributes = attributesAtFault(() =>
      fromHttp({
        headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': 'a b', 'ce-bad': '%C0%A0', 'ce-datacontenttype': 'x/y', 'ce-data': 'x', 'ce-Up_per': 'x' },
        body: '',
      }),
    )
    expect(attributes.sort()).toEqual(['bad', 'data', 'datacontenttype', 'source', 'type', 'up_per'].sort())
  })

  it('reports malformed JSON data as a problem of data', () => {
    const error = errorOf(() => fromHttp({ headers: { ...required, 'content-type': 'application/json' }, body: '{"a":' }))
    expect((error as EventValidationError).problems[0]).toEqual({ attribute: 'data', message: expect.stringContaining('malformed json') })
  })

  it('reads number and boolean header values, as Node and the cloudevents SDK write them, as their strings', () => {
    const headers = { ...required, 'ce-priority': 3, 'ce-urgent': true } as unknown as Record<string, string>
    const [event] = fromHttp({ headers, body: '' })
    expect(event?.['priority']).toBe('3')
    expect(event?.['urgent']).toBe('true')
  })

  it('rejects a header sent twice', () => {
    expect(attributesAtFault(() => fromHttp({ headers: { ...required, 'ce-x': ['a', 'b'] }, body: '' }))).toEqual(['x'])
  })

  it('explains what to send when a request carries no ce- headers', () => {
    const error = errorOf(() => fromHttp({ headers: { 'content-type': 'application/json' }, body: '{}' }))
    expect((error as Error).message).toContain('application/cloudevents+json')
  })
})

describe('fromHttp, structured and batch mode', () => {
  const event = { specversion: '1.0', id: '1', source: '/orders', type: 'com.example.order', data: { a: 1 } }

  it('reads a structured event whatever the case of the content type', () => {
    expect(fromHttp({ headers: { 'content-type': 'Application/CloudEvents+JSON; charset=UTF-8' }, body: JSON.stringify(event) })).toEqual([event])
  })

  it('reads UTF-16 bodies and rejects bytes that are not valid UTF-8', () => {
    const utf16 = Buffer.from(JSON.stringify({ ...event, subject: 'ü' }), 'utf16le')
    expect(fromHttp({ headers: { 'content-type': 'application/cloudevents+json; charset=utf-16le' }, body: utf16 })[0]?.subject).toBe('ü')
    const bad = Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc0, 0xa0]), Buffer.from('"}')])
    expect(errorOf(() => fromHttp({ headers: { 'content-type': 'application/cloudevents+json' }, body: bad }))).toBeInstanceOf(EventValidationError)
  })

  it('answers an unknown charset or format with UnsupportedMediaTypeError', () => {
    const charset = errorOf(() => fromHttp({ headers: { 'content-type': 'application/cloudevents+json; charset=ebcdic' }, body: new Uint8Array([1]) }))
    expect(charset).toBeInstanceOf(UnsupportedMediaTypeError)
    expect((charset as UnsupportedMediaTypeError).code).toBe(ErrorCodes.UNSUPPORTED_MEDIA_TYPE)
    expect(errorOf(() => fromHttp({ headers: { 'content-type': 'application/cloudevents+avro' }, body: '' }))).toBeInstanceOf(UnsupportedMediaTypeError)
    expect(errorOf(() => fromHttp({ headers: { 'content-type': 'application/cloudevents-batch+xml' }, body: '' }))).toBeInstanceOf(UnsupportedMediaTypeError)
  })

  it('reads a batch all or nothing, naming the bad entry', () => {
    const headers = { 'content-type': 'application/cloudevents-batch+json' }
    expect(fromHttp({ headers, body: JSON.stringify([event, { ...event, id: '2' }]) })).toHaveLength(2)
    expect(attributesAtFault(() => fromHttp({ headers, body: JSON.stringify([event, { ...event, time: 'x' }]) }))).toEqual(['[1].time'])
  })
})

describe('toHttp', () => {
  it('writes binary mode with percent-encoded ce- headers that fromHttp reads back to the same event', () => {
    const event = createEvent({ source: '/orders', type: 't', subject: 'Euro € 😀 100% "q"', priority: 3, urgent: true, data: { a: [1] } })
    const message = toHttp(event, 'binary')
    expect(message.headers['ce-subject']).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80%20100%25%20%22q%22')
    expect(message.headers['ce-priority']).toBe('3')
    expect(message.headers['content-type']).toBe('application/json')
    const [back] = fromHttp(message)
    // binary headers carry strings, and the implied content type becomes explicit
    expect(back).toEqual({ ...event, priority: '3', urgent: 'true', datacontenttype: 'application/json' })
  })

  it('writes data_base64 as raw bytes and text data as the string itself', () => {
    const binary = toHttp(createEvent({ source: '/s', type: 't', datacontenttype: 'image/png', data: new Uint8Array([137, 80]) }))
    expect(binary.body).toEqual(new Uint8Array([137, 80]))
    expect(binary.headers['content-type']).toBe('image/png')
    const text = toHttp(createEvent({ source: '/s', type: 't', datacontenttype: 'text/plain', data: 'hello' }))
    expect(text.body).toBe('hello')
  })

  it('writes structured mode as the JSON format', () => {
    const event = createEvent({ source: '/s', type: 't', data: null })
    const message = toHttp(event, 'structured')
    expect(message.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' })
    expect(fromHttp(message)).toEqual([event])
  })

  it('validates what it is given and refuses an invalid event', () => {
    const invalid = { specversion: '1.0', id: '', source: '/s', type: 't' } as CloudEvent
    expect(errorOf(() => toHttp(invalid))).toBeInstanceOf(EventValidationError)
  })

  it('writes a batch that fromHttp reads back', () => {
    const events = [createEvent({ source: '/s', type: 'a' }), createEvent({ source: '/s', type: 'b' })]
    const message = toHttpBatch(events)
    expect(message.headers['content-type']).toBe('application/cloudevents-batch+json; charset=utf-8')
    expect(fromHttp(message)).toEqual(events)
  })
})
