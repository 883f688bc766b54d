/** The signature schemes a webhook endpoint can require. */
export type WebhookScheme = 'standard-webhooks' | 'github' | 'stripe' | 'bearer'

export interface VerifyWebhookOptions {
  readonly scheme: WebhookScheme
  /**
   * Every secret that is currently valid; a request passes if it verifies with any of them, so a secret
   * is rotated by listing the new one next to the old one for a while. Standard Webhooks: `whsec_<base64>`
   * (HMAC, `v1`) or `whpk_<base64>` (an ed25519 public key, `v1a`). Stripe: the endpoint's `whsec_…` used
   * as it is. GitHub: the webhook secret. Bearer: the token.
   */
  readonly secrets: readonly string[]
  /** Largest accepted distance between the signed timestamp and now, in seconds, past or future. Default 300. */
  readonly toleranceSec?: number
}

export interface WebhookRequest {
  /** Header names in any case. */
  readonly headers: Readonly<Record<string, string>>
  /** The raw body, exactly as received: signatures cover bytes, not parsed JSON. */
  readonly body: string | Uint8Array
  /** Unix seconds; default the clock. For tests. */
  readonly now?: number
}

export type VerifyWebhookResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly reason: string }

export const DEFAULT_TOLERANCE_SEC = 300
