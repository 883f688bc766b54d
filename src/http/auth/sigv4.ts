import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * AWS Signature Version 4 for the EventBridge API (AWS's "Signature Version 4 signing process" docs):
 * the canonical request, the string to sign and the signing key chain, for `POST /` with an empty query.
 */

export interface SigV4Authorization {
  readonly accessKeyId: string
  /** yyyymmdd, region, service, the `aws4_request` terminator: the credential scope. */
  readonly date: string
  readonly region: string
  readonly service: string
  readonly signedHeaders: readonly string[]
  readonly signature: string
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256[ \t]+Credential=([^,\s]+)[ \t]*,[ \t]*SignedHeaders=([^,\s]+)[ \t]*,[ \t]*Signature=([0-9a-f]{64})[ \t]*$/

/** True when the Authorization header claims SigV4 (whether or not it parses). */
export function isSigV4(authorization: string | undefined): boolean {
  return authorization !== undefined && authorization.startsWith('AWS4-HMAC-SHA256')
}

/** The parts of a SigV4 Authorization header, or undefined when it is not one. */
export function parseSigV4(authorization: string): SigV4Authorization | undefined {
  const match = AUTHORIZATION.exec(authorization)
  if (match === null) return undefined
  const scope = (match[1] ?? '').split('/')
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1] ?? '')) return undefined
  const [accessKeyId = '', date = '', region = '', service = ''] = scope
  if (accessKeyId === '' || region === '' || service === '') return undefined
  return { accessKeyId, date, region, service, signedHeaders: (match[2] ?? '').split(';'), signature: match[3] ?? '' }
}

/** `X-Amz-Date` (yyyymmddThhmmssZ) as epoch milliseconds, or undefined when malformed. */
export function amzDateMillis(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (m === null) return undefined
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  return Number.isNaN(ms) ? undefined : ms
}

export interface SignedRequest {
  readonly method: string
  /** Header values by lower-case name; repeated headers already joined with ",". */
  readonly header: (name: string) => string | undefined
  readonly body: Uint8Array
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest()
}

function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** The hex signature the request should carry, computed with `secret` over the headers the client named. */
export function expectedSignature(auth: SigV4Authorization, request: SignedRequest, secret: string): string {
  const headerLines = auth.signedHeaders.map((name) => `${name}:${(request.header(name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('')
  const payloadHash = request.header('x-amz-content-sha256') ?? sha256Hex(request.body)
  const canonical = [request.method, '/', '', headerLines, auth.signedHeaders.join(';'), payloadHash].join('\n')
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', request.header('x-amz-date') ?? '', scope, sha256Hex(canonical)].join('\n')
  let key = hmac(`AWS4${secret}`, auth.date)
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part)
  return hmac(key, toSign).toString('hex')
}

/** Compares in constant time; a declared `x-amz-content-sha256` must also match the body actually sent. */
export function signatureMatches(auth: SigV4Authorization, request: SignedRequest, secret: string): boolean {
  const declared = request.header('x-amz-content-sha256')
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== sha256Hex(request.body)) return false
  if (declared === 'UNSIGNED-PAYLOAD') return false
  const expected = Buffer.from(expectedSignature(auth, request, secret), 'hex')
  const presented = Buffer.from(auth.signature, 'hex')
  return expected.length === presented.length && timingSafeEqual(expected, presented)
}
