import { OptionsError } from '../../errors.js'
import { bearerDigest, verifyBearer, verifyGitHub, verifyStripe } from './github-stripe-bearer.js'
import { parseVerifyingKey } from './standard-webhooks-keys.js'
import { verifyStandardWebhooks } from './standard-webhooks.js'
import { DEFAULT_TOLERANCE_SEC, type VerifyWebhookOptions, type VerifyWebhookResult, type WebhookRequest } from './types.js'

export type WebhookVerifier = (request: WebhookRequest) => VerifyWebhookResult

const SCHEMES = ['standard-webhooks', 'github', 'stripe', 'bearer'] as const

/**
 * Parses the secrets once and returns the check for one scheme. Bad options (unknown scheme, no secrets,
 * a secret that does not parse) are programmer errors and throw OptionsError here, never per request.
 */
export function createWebhookVerifier(options: VerifyWebhookOptions): WebhookVerifier {
  const { scheme, secrets } = options
  if (!SCHEMES.includes(scheme)) {
    throw new OptionsError(`webhook scheme ${JSON.stringify(scheme)} is not known; use one of ${SCHEMES.join(', ')}`)
  }
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new OptionsError(`a ${scheme} webhook needs at least one non-empty secret; give "secrets" (several while rotating)`)
  }
  const toleranceSec = options.toleranceSec ?? DEFAULT_TOLERANCE_SEC
  if (!Number.isFinite(toleranceSec) || toleranceSec < 0) {
    throw new OptionsError(`webhook toleranceSec must be a number of seconds >= 0, got ${JSON.stringify(toleranceSec)}`)
  }
  const clock = (request: WebhookRequest): number => request.now ?? Math.floor(Date.now() / 1000)
  switch (scheme) {
    case 'standard-webhooks': {
      const keys = secrets.map(parseVerifyingKey)
      return (request) => verifyStandardWebhooks(keys, request, clock(request), toleranceSec)
    }
    case 'github': {
      const keys = secrets.map((s) => Buffer.from(s, 'utf8'))
      return (request) => verifyGitHub(keys, request)
    }
    case 'stripe': {
      const keys = secrets.map((s) => Buffer.from(s, 'utf8'))
      return (request) => verifyStripe(keys, request, clock(request), toleranceSec)
    }
    case 'bearer': {
      const digests = secrets.map(bearerDigest)
      return (request) => verifyBearer(digests, request)
    }
  }
}

/**
 * Checks one webhook request the way `POST /webhooks/<name>` does, for programs that receive webhooks
 * themselves. Over the raw body bytes, constant-time comparisons, a timestamp tolerance against replays
 * (default 300 s both ways). When checking many requests, build the check once with `createWebhookVerifier`.
 */
export function verifyWebhook(options: VerifyWebhookOptions, request: WebhookRequest): VerifyWebhookResult {
  return createWebhookVerifier(options)(request)
}
