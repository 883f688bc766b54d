import { OptionsError } from '../../errors.js'
import { parseSigningKey, type StandardWebhooksKey } from './standard-webhooks-keys.js'
import { signatureFor } from './standard-webhooks.js'

export interface SignWebhookInput {
  /** The message id; keep it the same on every retry of one message. Must not contain ".". */
  readonly msgId: string
  /** Unix seconds of this attempt (or a Date). */
  readonly timestamp: number | Date
  /** The exact bytes that will be sent. */
  readonly body: string | Uint8Array
  /** `whsec_…` (HMAC, `v1`) or `whsk_…` (ed25519, `v1a`); several sign with each (for rotation). */
  readonly secret: string | readonly string[]
}

export interface StandardWebhooksHeaders {
  readonly 'webhook-id': string
  readonly 'webhook-timestamp': string
  readonly 'webhook-signature': string
}

/** Parses signing secrets once, for a sender that signs many messages. */
export function createWebhookSigner(secret: string | readonly string[]): (input: Omit<SignWebhookInput, 'secret'>) => StandardWebhooksHeaders {
  const secrets = typeof secret === 'string' ? [secret] : secret
  if (secrets.length === 0) throw new OptionsError('signing a webhook needs at least one secret ("whsec_…")')
  const keys: StandardWebhooksKey[] = secrets.map(parseSigningKey)
  return ({ msgId, timestamp, body }) => {
    if (typeof msgId !== 'string' || msgId === '' || msgId.includes('.')) {
      throw new OptionsError(`webhook msgId ${JSON.stringify(msgId)} must be a non-empty string without "."`)
    }
    const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp
    if (!Number.isSafeInteger(seconds) || seconds < 0) {
      throw new OptionsError(`webhook timestamp must be whole Unix seconds, got ${JSON.stringify(timestamp)}`)
    }
    return {
      'webhook-id': msgId,
      'webhook-timestamp': String(seconds),
      'webhook-signature': keys.length === 1 ? signatureFor(keys[0] as StandardWebhooksKey, msgId, seconds, body) : keys.map((key) => signatureFor(key, msgId, seconds, body)).join(' '),
    }
  }
}

/** The Standard Webhooks sender side: the three `webhook-*` headers for one message. */
export function signWebhook(input: SignWebhookInput): StandardWebhooksHeaders {
  return createWebhookSigner(input.secret)(input)
}
