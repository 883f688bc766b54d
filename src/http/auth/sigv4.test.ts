import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { amzDateMillis, expectedSignature, parseSigV4, signatureMatches, type SigV4Authorization } from './sigv4.js'

const SECRET = 'secret-0123456789abcdef'
const body = new TextEncoder().encode('{"Entries":[]}')

function request(headers: Record<string, string>, payload: Uint8Array = body) {
  return { method: 'POST', header: (name: string) => headers[name], body: payload }
}

function signed(headers: Record<string, string>): SigV4Authorization {
  const unsigned: SigV4Authorization = { accessKeyId: 'AKID', date: '20261204', region: 'us-east-1', service: 'events', signedHeaders: ['host', 'x-amz-date'], signature: '' }
  return { ...unsigned, signature: expectedSignature(unsigned, request(headers), SECRET) }
}

describe('SigV4 verification', () => {
  const headers = { host: '127.0.0.1:8080', 'x-amz-date': '20261204T175500Z' }

  it('parses the Authorization header the AWS SDKs send', () => {
    const parsed = parseSigV4(`AWS4-HMAC-SHA256 Credential=AKID/20261204/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`)
    expect(parsed).toEqual({ accessKeyId: 'AKID', date: '20261204', region: 'us-east-1', service: 'events', signedHeaders: ['host', 'x-amz-date'], signature: 'a'.repeat(64) })
    expect(parseSigV4('AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/events/aws4_request, SignedHeaders=host, Signature=x')).toBeUndefined()
  })

  it('accepts its own signature and refuses another secret, another body or a changed signed header', () => {
    const auth = signed(headers)
    expect(signatureMatches(auth, request(headers), SECRET)).toBe(true)
    expect(signatureMatches(auth, request(headers), 'other-secret-0123456789')).toBe(false)
    expect(signatureMatches(auth, request(headers, new TextEncoder().encode('{"Entries":[1]}')), SECRET)).toBe(false)
    expect(signatureMatches(auth, request({ ...headers, host: 'elsewhere:8080' }), SECRET)).toBe(false)
  })

  it('refuses an x-amz-content-sha256 that is not the hash of the body sent, and an unsigned payload', () => {
    const declared = createHash('sha256').update('{"Entries":[2]}').digest('hex')
    const withHash = { ...headers, 'x-amz-content-sha256': declared }
    expect(signatureMatches(signed(withHash), request(withHash), SECRET)).toBe(false)
    const unsignedPayload = { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }
    expect(signatureMatches(signed(unsignedPayload), request(unsignedPayload), SECRET)).toBe(false)
  })

  it('reads X-Amz-Date and refuses other date formats', () => {
    expect(amzDateMillis('20261204T175500Z')).toBe(Date.UTC(2026, 11, 4, 17, 55, 0))
    expect(amzDateMillis('2026-12-04T17:55:00Z')).toBeUndefined()
    expect(amzDateMillis(undefined)).toBeUndefined()
  })
})
