import { timingSafeEqual } from 'node:crypto'
import { ErrorCodes } from '../../errors.js'
import type { VerifyWebhookResult } from './types.js'

export const VERIFIED: VerifyWebhookResult = Object.freeze({ ok: true })

export function badSignature(reason: string): VerifyWebhookResult {
  return { ok: false, code: ErrorCodes.WEBHOOK_SIGNATURE_INVALID, reason }
}

export function badTimestamp(reason: string): VerifyWebhookResult {
  return { ok: false, code: ErrorCodes.WEBHOOK_TIMESTAMP_INVALID, reason }
}

/** Header lookup in any case; an absent or empty header is undefined. */
export function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const direct = headers[name]
  if (direct !== undefined) return direct === '' ? undefined : direct
  for (const key in headers) {
    if (key.toLowerCase() === name) {
      const value = headers[key]
      return value === '' ? undefined : value
    }
  }
  return undefined
}

export function bodyBytes(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}

/**
 * Compares two byte strings in time that depends only on their lengths. A length mismatch returns
 * early, which reveals only the length of the expected value: public for a MAC of a known algorithm.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** A Unix timestamp in seconds as signed by the sender: digits only. */
export function parseUnixSeconds(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,12}$/.test(text)) return undefined
  return Number(text)
}

/** Checks a signed timestamp against now ± tolerance. */
export function checkTimestamp(timestamp: number, now: number, toleranceSec: number): VerifyWebhookResult | undefined {
  if (now - timestamp > toleranceSec) return badTimestamp(`the timestamp is ${now - timestamp} s old; the tolerance is ${toleranceSec} s`)
  if (timestamp - now > toleranceSec) return badTimestamp(`the timestamp is ${timestamp - now} s in the future; the tolerance is ${toleranceSec} s`)
  return undefined
}
