import type { IncomingMessage, ServerResponse } from 'node:http'
import { ErrorCodes } from '../../errors.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { Logger } from '../../engine/types.js'
import { jsonDepthExceeds } from '../limits/json-depth.js'
import { resolveLimits, type LimitOptions } from '../limits/limit-options.js'
import { TokenBuckets } from '../limits/token-bucket.js'
import type { HttpHeaders } from '../post-events.js'
import { jsonOutcome, nodeHeaders, problemOutcome, type HttpOutcome } from '../problem.js'
import { allows, bearerToken, requirementOf, sourcesAllowed } from './access.js'
import { KeyRing, type AuthOptions, type Principal } from './key-ring.js'
import { AccessKeyRing } from './sigv4-keys.js'
import { amzDateMillis, isSigV4, parseSigV4, signatureMatches, type SigV4Authorization } from './sigv4.js'

/**
 * Runs before any route, on the node:http request itself, so the direct paths for POST /events and POST /
 * get exactly the checks the Hono routes get. Order: concurrency cap, per-address rate, credentials,
 * per-credential rate. Event sources and JSON depth are checked later, once the body is read.
 */
export interface RequestGate {
  /** Answers and returns true when the request may not go on. */
  refuse(req: IncomingMessage, res: ServerResponse): boolean
  /** For the events acceptor: an outcome to send instead of decoding, or undefined. */
  checkBody(headers: HttpHeaders, body: string | Uint8Array): HttpOutcome | undefined
  /** For the events acceptor: 403 when the caller's key may not publish these sources. */
  checkEvents(headers: HttpHeaders, events: readonly CloudEvent[]): HttpOutcome | undefined
  /** Reads key files and env vars again now (SIGHUP); throws, keeping the old keys, when one cannot be read. */
  reloadKeys(): void
  /**
   * For the EventBridge API, once it has read the body: verifies a SigV4 signature admitted by `refuse`, and
   * says which event sources the caller may publish (undefined: any).
   */
  checkApi(req: IncomingMessage, body: Uint8Array): ApiVerdict
  close(): void
}

export type ApiVerdict =
  | { readonly sources: readonly string[] | undefined }
  | { readonly refusal: { readonly status: number; readonly type: string; readonly message: string } }

export interface RequestGateOptions {
  /** Undefined or 'none': no credentials asked for. */
  readonly auth?: AuthOptions | 'none' | undefined
  readonly limits?: LimitOptions | undefined
  readonly logger?: Logger | undefined
  /** True when the EventBridge API will call `checkApi`; without it SigV4 requests are refused, never trusted unverified. */
  readonly verifiesApi?: boolean
}

// Neither answer says which part was wrong: no message, only the code.
const UNAUTHORIZED = jsonOutcome(401, { code: ErrorCodes.UNAUTHORIZED }, { 'www-authenticate': 'Bearer' })
const FORBIDDEN = jsonOutcome(403, { code: ErrorCodes.FORBIDDEN })

function write(req: IncomingMessage, res: ServerResponse, outcome: HttpOutcome): true {
  const headers = nodeHeaders(outcome)
  // The body is left unread; closing is the only way not to mistake it for the next request.
  if (req.headers['content-length'] !== '0' && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)) {
    headers['connection'] = 'close'
  }
  res.writeHead(outcome.status, headers)
  res.end(outcome.body)
  return true
}

// AWS's JSON 1.1 error shape, so the AWS SDKs raise their typed exceptions; the message never says which part was wrong.
function awsRefusal(status: number, type: string): HttpOutcome {
  const message = status === 401 ? 'the security token included in the request is invalid' : type === 'AccessDeniedException' ? 'you are not authorized to perform this operation' : 'the request signature is not valid'
  return jsonOutcome(status, { __type: type, message }, { 'x-amzn-errortype': type })
}
const SIGNED_UNKNOWN = awsRefusal(401, 'UnrecognizedClientException')
const SIGNED_BAD = awsRefusal(403, 'InvalidSignatureException')
const SIGNED_DENIED = awsRefusal(403, 'AccessDeniedException')
/** How far X-Amz-Date may be from this clock, as AWS allows. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}

interface SignedRequest {
  readonly auth: SigV4Authorization
  readonly secret: string
  readonly principal: Principal
}

function rateLimited(seconds: number): HttpOutcome {
  return problemOutcome(429, ErrorCodes.RATE_LIMITED, `too many requests; retry after ${seconds} s`, { headers: { 'retry-after': String(seconds) } })
}

export function createRequestGate(options: RequestGateOptions): RequestGate {
  const auth = options.auth === 'none' ? undefined : options.auth
  const keyRing = auth === undefined ? undefined : new KeyRing(auth)
  const limits = resolveLimits(options.limits)
  const principals = new WeakMap<object, Principal>()
  const accessRing = auth?.accessKeys === undefined || auth.accessKeys.length === 0 ? undefined : new AccessKeyRing(auth.accessKeys, auth.env)
  const signedRequests = new WeakMap<IncomingMessage, SignedRequest>()
  const perAddress = limits.requestsPerSecond === undefined ? undefined : new TokenBuckets(limits.requestsPerSecond, limits.burst)
  const perCredential = limits.requestsPerSecond === undefined ? undefined : new TokenBuckets(limits.requestsPerSecond, limits.burst)
  let inFlight = 0

  let timer: NodeJS.Timeout | undefined
  const reloadEvery = auth?.reloadIntervalMs ?? 5_000
  if (keyRing !== undefined && reloadEvery > 0) {
    timer = setInterval(() => {
      try {
        keyRing.reload()
        accessRing?.reload()
      } catch (error) {
        options.logger?.error({ err: error }, 'reloading API keys failed; the previous keys stay in use')
      }
    }, reloadEvery)
    timer.unref()
  }

  return {
    refuse(req, res) {
      if (limits.maxConcurrentRequests !== undefined) {
        if (inFlight >= limits.maxConcurrentRequests) {
          return write(req, res, problemOutcome(503, ErrorCodes.OVERLOADED, `over ${limits.maxConcurrentRequests} requests at once; retry shortly`, { headers: { 'retry-after': '1' } }))
        }
        inFlight++
        res.once('close', () => inFlight--)
      }
      if (perAddress !== undefined) {
        const wait = perAddress.take(`a:${req.socket.remoteAddress ?? ''}`)
        if (wait > 0) return write(req, res, rateLimited(wait))
      }
      if (keyRing === undefined) return false
      const requirement = requirementOf(req.method, req.url, req.headers)
      if (requirement === 'open') return false
      const authorization = headerText(req.headers.authorization)
      if ((req.url ?? '/').split('?', 1)[0] === '/' && isSigV4(authorization)) {
        const signed = authorization === undefined ? undefined : parseSigV4(authorization)
        const key = signed === undefined || !options.verifiesApi ? undefined : accessRing?.find(signed.accessKeyId)
        if (signed === undefined || key === undefined) return write(req, res, SIGNED_UNKNOWN)
        const amzDate = headerText(req.headers['x-amz-date'])
        const signedAt = amzDateMillis(amzDate)
        if (
          signed.service !== 'events' ||
          !signed.signedHeaders.includes('host') ||
          !signed.signedHeaders.includes('x-amz-date') ||
          signedAt === undefined ||
          amzDate?.slice(0, 8) !== signed.date ||
          Math.abs(Date.now() - signedAt) > MAX_CLOCK_SKEW_MS
        ) {
          return write(req, res, SIGNED_BAD)
        }
        if (!allows(key.principal, requirement)) return write(req, res, SIGNED_DENIED)
        if (perCredential !== undefined) {
          const wait = perCredential.take(`k:${key.principal.name}`)
          if (wait > 0) return write(req, res, rateLimited(wait))
        }
        signedRequests.set(req, { auth: signed, secret: key.secret, principal: key.principal })
        return false
      }
      const token = bearerToken(req.headers)
      const principal = token === undefined ? undefined : keyRing.identify(token)
      if (principal === undefined) return write(req, res, UNAUTHORIZED)
      if (!allows(principal, requirement)) return write(req, res, FORBIDDEN)
      if (perCredential !== undefined) {
        const wait = perCredential.take(`k:${principal.name}`)
        if (wait > 0) return write(req, res, rateLimited(wait))
      }
      principals.set(req.headers, principal)
      return false
    },
    checkBody(_headers, body) {
      if (limits.maxJsonDepth !== undefined && jsonDepthExceeds(body, limits.maxJsonDepth)) {
        return problemOutcome(400, ErrorCodes.JSON_TOO_DEEP, `the JSON body nests deeper than ${limits.maxJsonDepth} levels; flatten it`)
      }
      return undefined
    },
    checkEvents(headers, events) {
      const allowed = principals.get(headers)?.sources
      if (allowed === undefined) return undefined
      return sourcesAllowed(allowed, events.map((event) => event.source)) ? undefined : FORBIDDEN
    },
    checkApi(req, body) {
      const signed = signedRequests.get(req)
      if (signed === undefined) return { sources: principals.get(req.headers)?.sources }
      const request = { method: req.method ?? '', header: (name: string) => headerText(req.headers[name]), body }
      if (!signatureMatches(signed.auth, request, signed.secret)) return { refusal: { status: 403, type: 'InvalidSignatureException', message: 'the request signature is not valid' } }
      return { sources: signed.principal.sources }
    },
    reloadKeys() {
      keyRing?.reload()
      accessRing?.reload()
    },
    close() {
      if (timer !== undefined) clearInterval(timer)
    },
  }
}
