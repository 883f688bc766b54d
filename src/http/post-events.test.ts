import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { eventWireSize } from '../event/event-size.js'
import { fromHttp } from '../event/http-read.js'
import { jsonSizeBound } from './post-events.js'

function decodeOrUndefined(headers: Record<string, string>, body: string | Uint8Array) {
  try {
    return fromHttp({ headers, body })
  } catch {
    return undefined
  }
}

// Inputs that grow the most when serialised: control characters, exponent numbers, escapes, non-ASCII.
const growingText = fc.string({ unit: fc.constantFrom('\u0001', '\u001f', '"', '\\', 'é', '€', 'a', '\n', '\ud800') })
const growingJson = fc.oneof(
  fc.constantFrom('1e20', '9e20', '1E5', '-1e19', '[1e20,1e20]', '{"a":1e20}', '"\\u0001"', '"\\n"'),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  growingText.map((t) => JSON.stringify(t)),
)

describe('jsonSizeBound', () => {
  it('is never below the JSON size of a binary-mode event decoded from the request', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('application/json', 'text/plain', 'text/plain; charset=latin1', 'application/octet-stream'),
        fc.oneof(growingJson, growingText),
        fc.string({ maxLength: 20 }).map(encodeURIComponent),
        (type, body, subject) => {
          const headers = { 'content-type': type, 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': 's', 'ce-type': 't', 'ce-subject': subject }
          const bytes = Buffer.from(body, type.includes('latin1') ? 'latin1' : 'utf8')
          const events = decodeOrUndefined(headers, bytes)
          if (events === undefined) return
          for (const event of events) expect(eventWireSize(event)).toBeLessThanOrEqual(jsonSizeBound(headers, bytes.length))
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('is never below the JSON size of any event of a structured or batch body', () => {
    const event = fc.record({ id: fc.string({ minLength: 1 }), subject: growingText, data: growingJson.map((j) => JSON.parse(j) as unknown) })
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 4 }), fc.boolean(), (entries, asBatch) => {
        const full = entries.map((e) => ({ specversion: '1.0', source: 's', type: 't', ...e }))
        // Pretty-printed with exponent numbers re-inserted, so the body is not already minimal JSON.
        const body = JSON.stringify(asBatch ? full : full[0], null, 1).replace(/100000000000000000000/g, '1e20')
        const headers = { 'content-type': asBatch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json' }
        const bytes = Buffer.from(body, 'utf8')
        const events = decodeOrUndefined(headers, bytes)
        if (events === undefined) return
        for (const decoded of events) expect(eventWireSize(decoded)).toBeLessThanOrEqual(jsonSizeBound(headers, bytes.length))
      }),
      { numRuns: 500 },
    )
  })
})
