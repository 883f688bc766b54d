import { createHmac, sign, verify } from 'node:crypto'
import type { StandardWebhooksKey } from './standard-webhooks-keys.js'
import type { VerifyWebhookResult, WebhookRequest } from './types.js'
import { VERIFIED, badSignature, badTimestamp, bodyBytes, checkTimestamp, headerOf, parseUnixSeconds, sameBytes } from './verify-support.js'

/** `<id>.<timestamp>.<body>`: what Standard Webhooks signs, over the raw body bytes. */
export function signedContent(id: string, timestamp: number | string, body: string | Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), bodyBytes(body)])
}

/** One `<version>,<base64>` entry of webhook-signature. HMAC streams its input: no copy of the body. */
export function signatureFor(key: StandardWebhooksKey, id: string, timestamp: number, body: string | Uint8Array): string {
  if (key.version === 'v1') {
    const mac = createHmac('sha256', key.hmacKey).update(`${id}.${timestamp}.`, 'utf8')
    if (typeof body === 'string') mac.update(body, 'utf8')
    else mac.update(body)
    return `v1,${mac.digest('base64')}`
  }
  return `v1a,${sign(null, signedContent(id, timestamp, body), key.key).toString('base64')}`
}

/** The Standard Webhooks header, else the same header under Svix's names (Svix signs the same way). */
function header(headers: WebhookRequest['headers'], name: 'id' | 'timestamp' | 'signature'): string | undefined {
  return headerOf(headers, `webhook-${name}`) ?? headerOf(headers, `svix-${name}`)
}

/** The message id a Standard Webhooks request carries (stable across the sender's retries). */
export function standardWebhooksId(headers: WebhookRequest['headers']): string | undefined {
  return header(headers, 'id')
}

/**
 * Standard Webhooks verification (spec "Verifying signatures"): all three headers present, the timestamp
 * within tolerance, and at least one `v1`/`v1a` entry of the space-separated signature list valid for one of
 * the keys. Entries of other versions are skipped, which lets a sender add new schemes without breaking us.
 */
export function verifyStandardWebhooks(
  keys: readonly StandardWebhooksKey[],
  request: WebhookRequest,
  now: number,
  toleranceSec: number,
): VerifyWebhookResult {
  const id = header(request.headers, 'id')
  const rawTimestamp = header(request.headers, 'timestamp')
  const signatures = header(request.headers, 'signature')
  if (id === undefined) return badSignature('the webhook-id header is missing')
  if (signatures === undefined) return badSignature('the webhook-signature header is missing')
  if (rawTimestamp === undefined) return badTimestamp('the webhook-timestamp header is missing')
  const timestamp = parseUnixSeconds(rawTimestamp)
  if (timestamp === undefined) return badTimestamp('the webhook-timestamp header is not a whole number of seconds')
  const stale = checkTimestamp(timestamp, now, toleranceSec)
  if (stale !== undefined) return stale

  const content = signedContent(id, rawTimestamp, request.body)
  let expectedHmacs: Buffer[] | undefined
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',')
    if (comma <= 0) continue
    const version = entry.slice(0, comma)
    const given = Buffer.from(entry.slice(comma + 1), 'base64')
    if (given.length === 0) continue
    if (version === 'v1') {
      expectedHmacs ??= keys.flatMap((k) => (k.version === 'v1' ? [createHmac('sha256', k.hmacKey).update(content).digest()] : []))
      // Every key is compared, matched or not, so the time taken does not say which one matched.
      let matched = false
      for (const expected of expectedHmacs) matched = sameBytes(given, expected) || matched
      if (matched) return VERIFIED
    } else if (version === 'v1a' && given.length === 64) {
      for (const key of keys) if (key.version === 'v1a' && verify(null, content, key.key, given)) return VERIFIED
    }
  }
  return badSignature('no signature in webhook-signature matches a configured secret')
}
