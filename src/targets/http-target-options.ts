import type { HttpTarget } from '../engine/types.js'
import { OptionsError } from '../errors.js'
import { createWebhookSigner } from '../http/webhooks/sign-webhook.js'

function positive(where: string, option: string, value: unknown, integer: boolean): void {
  if (value === undefined) return
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isSafeInteger(value))
  if (!ok) throw new OptionsError(`${where}: "${option}" must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`)
}

/** Checks an HTTP target at addRule (every mistake throws here, not while events flow); returns its URL. */
export function checkHttpTarget(where: string, target: HttpTarget): URL {
  let url: URL
  try {
    url = new URL(target.url)
  } catch {
    throw new OptionsError(`${where}: "url" ${JSON.stringify(target.url)} is not a URL; write it in full, e.g. "https://example.com/hooks"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OptionsError(`${where}: "url" must be http: or https:, got ${JSON.stringify(url.protocol)}`)
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo the URL here: it holds the credentials.
    throw new OptionsError(`${where}: "url" of ${url.host} must not contain credentials; send them as a header instead, e.g. headers: { authorization: "Bearer …" }`)
  }
  if (target.mode !== undefined && target.mode !== 'binary' && target.mode !== 'structured') {
    throw new OptionsError(`${where}: "mode" must be "binary" or "structured", got ${JSON.stringify(target.mode)}`)
  }
  positive(where, 'concurrency', target.concurrency, true)
  positive(where, 'rateLimit', target.rateLimit, false)
  if (target.circuitBreaker !== undefined && target.circuitBreaker !== false) {
    positive(where, 'circuitBreaker.failureThreshold', target.circuitBreaker.failureThreshold, true)
    positive(where, 'circuitBreaker.cooldownMs', target.circuitBreaker.cooldownMs, false)
  }
  if (target.headers !== undefined) {
    for (const [name, value] of Object.entries(target.headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || typeof value !== 'string' || /[\r\n]/.test(value)) {
        throw new OptionsError(`${where}: header ${JSON.stringify(name)} is not a valid HTTP header name and value`)
      }
    }
  }
  if (target.allowHosts !== undefined && (!Array.isArray(target.allowHosts) || !target.allowHosts.every((h) => typeof h === 'string' && h !== ''))) {
    throw new OptionsError(`${where}: "allowHosts" must be a list of host names or addresses, e.g. ["127.0.0.1"]`)
  }
  if (target.input !== undefined && typeof target.input !== 'function') {
    throw new OptionsError(`${where}: "input" must be a function of the event returning the text to send`)
  }
  // Parse the secrets now so a bad one fails at addRule.
  if (target.secret !== undefined) createWebhookSigner(target.secret)
  return url
}
