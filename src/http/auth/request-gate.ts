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
  close(): void
}

export interface RequestGateOptions {
  /** Undefined or 'none': no credentials asked for. */
  readonly auth?: AuthOptions | 'none' | undefined
  readonly limits?: LimitOptions | undefined
  readonly logger?: Logger | undefined
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

function rateLimited(seconds: number): HttpOutcome {
  return problemOutcome(429, ErrorCodes.RATE_LIMITED, `too many requests; retry after ${seconds} s`, { headers: { 'retry-after': String(seconds) } })
}

export function createRequestGate(options: RequestGateOptions): RequestGate {
  const auth = options.auth === 'none' ? undefined : options.auth
  const keyRing = auth === undefined ? undefined : new KeyRing(auth)
  const limits = resolveLimits(options.limits)
  const principals = new WeakMap<object, Principal>()
  const perAddress = limits.requestsPerSecond === undefined ? undefined : new TokenBuckets(limits.requestsPerSecond, limits.burst)
  const perCredential = limits.requestsPerSecond === undefined ? undefined : new TokenBuckets(limits.requestsPerSecond, limits.burst)
  let inFlight = 0

  let timer: NodeJS.Timeout | undefined
  const reloadEvery = auth?.reloadIntervalMs ?? 5_000
  if (keyRing !== undefined && reloadEvery > 0) {
    timer = setInterval(() => {
      try {
        keyRing.reload()
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
      const token = bearerToken(req.headers)
      const principal = token === undefined ? undefined : keyRing.identify(token)
      if (principal === undefined) return write(req, res, UNAUTHORIZED)
      if (!allows(principal, requirement)) return write(req, res, FORBIDDEN)
      // The EventBridge API's sources are not checked entry by entry yet, so a source-limited key may not use it.
      if (principal.sources !== undefined && (req.url ?? '/').split('?', 1)[0] === '/') return write(req, res, FORBIDDEN)
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
    reloadKeys() {
      keyRing?.reload()
    },
    close() {
      if (timer !== undefined) clearInterval(timer)
    },
  }
}
