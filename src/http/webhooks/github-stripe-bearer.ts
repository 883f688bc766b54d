import { createHash, createHmac } from 'node:crypto'
import type { VerifyWebhookResult, WebhookRequest } from './types.js'
import { VERIFIED, badSignature, badTimestamp, bodyBytes, checkTimestamp, headerOf, parseUnixSeconds, sameBytes } from './verify-support.js'

function hmacSha256(secret: Buffer, ...parts: Buffer[]): Buffer {
  const mac = createHmac('sha256', secret)
  for (const part of parts) mac.update(part)
  return mac.digest()
}

/** True when `given` equals any of `expected`; every candidate is compared so timing does not tell which. */
function anyEqual(given: Buffer, expected: readonly Buffer[]): boolean {
  let matched = false
  for (const candidate of expected) matched = sameBytes(given, candidate) || matched
  return matched
}

/**
 * GitHub (docs "Validating webhook deliveries"): `X-Hub-Signature-256: sha256=<hex HMAC of the body>`, the
 * secret used as UTF-8 text. The signature covers no timestamp, so there is nothing to check for replays
 * besides the delivery id (`X-GitHub-Delivery`), which becomes the event id.
 */
export function verifyGitHub(secrets: readonly Buffer[], request: WebhookRequest): VerifyWebhookResult {
  const header = headerOf(request.headers, 'x-hub-signature-256')
  if (header === undefined) return badSignature('the X-Hub-Signature-256 header is missing')
  if (!header.startsWith('sha256=') || !/^[0-9a-fA-F]{64}$/.test(header.slice(7))) {
    return badSignature('X-Hub-Signature-256 is not "sha256=" and 64 hex digits')
  }
  const given = Buffer.from(header.slice(7), 'hex')
  const body = bodyBytes(request.body)
  return anyEqual(given, secrets.map((s) => hmacSha256(s, body))) ? VERIFIED : badSignature('the signature matches no configured secret')
}

/**
 * Stripe (stripe-node `Webhooks.ts`): `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, HMAC-SHA256 of
 * `<t>.<body>` keyed by the whole secret string (`whsec_` included, not decoded). Only `v1` entries count.
 * Unlike stripe-node, a timestamp too far in the future is refused too.
 */
export function verifyStripe(secrets: readonly Buffer[], request: WebhookRequest, now: number, toleranceSec: number): VerifyWebhookResult {
  const header = headerOf(request.headers, 'stripe-signature')
  if (header === undefined) return badSignature('the Stripe-Signature header is missing')
  let rawTimestamp: string | undefined
  const signatures: Buffer[] = []
  for (const item of header.split(',')) {
    const eq = item.indexOf('=')
    const key = item.slice(0, eq).trim()
    const value = item.slice(eq + 1).trim()
    if (key === 't') rawTimestamp = value
    else if (key === 'v1' && /^[0-9a-fA-F]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'))
  }
  const timestamp = parseUnixSeconds(rawTimestamp)
  if (rawTimestamp === undefined || timestamp === undefined) return badTimestamp('Stripe-Signature has no valid "t=" timestamp')
  if (signatures.length === 0) return badSignature('Stripe-Signature has no "v1=" signature')
  const stale = checkTimestamp(timestamp, now, toleranceSec)
  if (stale !== undefined) return stale
  const content = [Buffer.from(`${rawTimestamp}.`, 'utf8'), bodyBytes(request.body)]
  const expected = secrets.map((s) => hmacSha256(s, ...content))
  let matched = false
  for (const given of signatures) matched = anyEqual(given, expected) || matched
  return matched ? VERIFIED : badSignature('no v1 signature matches a configured secret')
}

/** Token digests: comparing fixed-length digests keeps the comparison constant-time whatever the token's length. */
export function bearerDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/** A shared token in `Authorization: Bearer <token>`. */
export function verifyBearer(tokenDigests: readonly Buffer[], request: WebhookRequest): VerifyWebhookResult {
  const header = headerOf(request.headers, 'authorization')
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header)
  if (match === null) return badSignature('the Authorization header is missing or not "Bearer <token>"')
  return anyEqual(bearerDigest(match[1] as string), tokenDigests) ? VERIFIED : badSignature('the bearer token matches no configured token')
}
