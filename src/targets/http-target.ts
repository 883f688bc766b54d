import { createHash } from 'node:crypto'
import { parseRetryAfter } from '../delivery/retry-policy.js'
import type { HttpTarget } from '../engine/types.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { toHttp } from '../event/http-write.js'
import { createWebhookSigner } from '../http/webhooks/sign-webhook.js'
import { TargetTimeoutError } from './await-target.js'
import { CircuitBreaker } from './http-target-breaker.js'
import { CircuitOpenError, HttpTargetError, HttpTargetRejectedError, TargetDisabledError } from './http-target-errors.js'
import { RequestLimiter } from './http-target-limiter.js'
import { checkLiteralHost, findAddressRefusal, guardedDispatcher, isHostAllowed } from './ssrf-guard.js'
import type { TargetContext } from './target-context.js'
import type { CompiledTarget } from './types.js'

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000

/** The URL without query or credentials: what logs and error messages may show. */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`
}

/**
 * The Standard Webhooks message id: the same on every retry of one event to one target, different per
 * target, and free of "." (which the signed content uses as a separator). A hash, so any event id fits.
 */
export function webhookId(event: CloudEvent, rule: string, target: string): string {
  const digest = createHash('sha256').update(`${event.source}\u0000${event.id}\u0000${rule}\u0000${target}`).digest('base64url')
  return `msg_${digest.slice(0, 32)}`
}

const DRAIN_LIMIT_BYTES = 64 * 1024

/**
 * Reads a small answer to the end so the connection goes back to the pool; a large one is cut off
 * (closing that connection) so a receiver cannot make sepal buffer or read without bound.
 */
async function drain(response: Response): Promise<void> {
  const body = response.body
  if (body === null) return
  const reader = body.getReader()
  let read = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      read += value.byteLength
      if (read > DRAIN_LIMIT_BYTES) {
        await reader.cancel()
        return
      }
    }
  } catch {
    // The status is what counts; a body that breaks off changes nothing.
  }
}

function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408
}

function textContentType(body: string): string {
  try {
    JSON.parse(body)
    return 'application/json'
  } catch {
    return 'text/plain; charset=utf-8'
  }
}

/**
 * Delivers events to a URL: POST, never following redirects; 2xx is success; 429, 408, 5xx, network errors
 * and timeouts are retryable (carrying Retry-After for the retry policy); 410 disables the target; other
 * answers are permanent (dead-lettered). Signed with Standard Webhooks headers when a secret is set.
 */
export function compileHttpTarget(target: HttpTarget, name: string, timeoutMs: number, url: URL, allowHosts: readonly string[] = []): CompiledTarget {
  const shown = displayUrl(url)
  // Not allow-listed: every connection resolves through the guard, which refuses internal addresses before connecting.
  const guarded = !isHostAllowed(url.hostname, allowHosts)
  const dispatcher = guarded ? guardedDispatcher() : undefined
  const href = url.href
  const mode = target.mode ?? 'binary'
  const sign = target.secret === undefined ? undefined : createWebhookSigner(target.secret)
  const extraHeaders = target.headers ?? {}
  const breaker = target.circuitBreaker === false ? undefined : new CircuitBreaker(target.circuitBreaker ?? {})
  const limiter = target.concurrency === undefined && target.rateLimit === undefined ? undefined : new RequestLimiter(target.concurrency, target.rateLimit)
  let disabled = false

  function request(event: CloudEvent, ctx: TargetContext): { headers: Record<string, string>; body: string | Uint8Array } | undefined {
    let headers: Record<string, string>
    let body: string | Uint8Array
    if (target.input !== undefined) {
      const text = target.input(event)
      if (text === undefined) return undefined
      headers = { 'content-type': textContentType(text) }
      body = text
    } else {
      const message = toHttp(event, mode)
      headers = message.headers
      body = message.body
    }
    headers = { ...headers, ...extraHeaders, 'user-agent': 'sepal' }
    if (sign !== undefined) Object.assign(headers, sign({ msgId: webhookId(event, ctx.rule, ctx.target), timestamp: new Date(), body }))
    return { headers, body }
  }

  async function send(event: CloudEvent, ctx: TargetContext): Promise<undefined> {
    const message = request(event, ctx)
    if (message === undefined) return undefined
    const signal = ctx.signal
    if (guarded) checkLiteralHost(url)
    const release = limiter === undefined ? undefined : await limiter.acquire(signal)
    let response: Response
    try {
      const init: RequestInit = { method: 'POST', headers: message.headers, body: message.body, redirect: 'manual', signal }
      // The global fetch takes an undici dispatcher (undici@7 here; its types differ from the bundled ones only nominally).
      if (dispatcher !== undefined) Object.assign(init, { dispatcher })
      response = await fetch(href, init)
      await drain(response)
    } catch (error) {
      const refused = findAddressRefusal(error)
      if (refused !== undefined) throw refused
      if (signal.aborted && !(signal.reason instanceof TargetTimeoutError)) throw error
      // fetch's own messages may quote the full URL; its query can hold a token, so only the shown form is kept.
      const reason = (error instanceof Error ? error.message : String(error)).split(href).join(shown)
      throw new HttpTargetError(`POST ${shown} failed: ${reason}; it is retried`, undefined, undefined, { cause: error })
    } finally {
      release?.()
    }
    const { status } = response
    if (status >= 200 && status < 300) return undefined
    if (status === 410) {
      if (!disabled) ctx.logger.warn({ rule: ctx.rule, target: ctx.target, url: shown }, 'the receiver answered 410 Gone; the target is disabled until restart')
      disabled = true
      throw new TargetDisabledError(name, shown)
    }
    if (isRetryableStatus(status)) {
      const retryAfter = response.headers.get('retry-after')
      const retryAfterMs = retryAfter === null ? undefined : parseRetryAfter(retryAfter, Date.now())
      throw new HttpTargetError(`POST ${shown} answered ${status}; it is retried`, status, retryAfterMs)
    }
    throw new HttpTargetRejectedError(`POST ${shown} answered ${status}; retrying would not change that, the event is dead-lettered`, status)
  }

  return {
    name,
    timeoutMs,
    invoke(event: CloudEvent, ctx: TargetContext): Promise<undefined> {
      if (disabled) return Promise.reject(new TargetDisabledError(name, shown))
      const wait = breaker?.admit()
      if (wait !== undefined) return Promise.reject(new CircuitOpenError(name, wait))
      const attempt = send(event, ctx)
      if (breaker === undefined) return attempt
      return attempt.then(
        (result) => {
          breaker.succeeded()
          return result
        },
        (error: unknown) => {
          // A receiver that answered, even with a 4xx, is up; only unanswered or failing requests count.
          if (error instanceof HttpTargetError) {
            if (breaker.failed()) ctx.logger.warn({ rule: ctx.rule, target: ctx.target, url: shown }, 'the circuit breaker opened after repeated failures')
          } else if (error instanceof HttpTargetRejectedError || error instanceof TargetDisabledError) breaker.succeeded()
          else breaker.cancelled()
          throw error
        },
      )
    },
  }
}
