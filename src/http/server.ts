import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { OptionsError } from '../errors.js'
import { createRequestGate } from './auth/request-gate.js'
import type { AuthOptions } from './auth/key-ring.js'
import type { LimitOptions } from './limits/limit-options.js'
import { createIngress } from './create-http-app.js'
import { createEventBridgeFastPath } from './eventbridge/node-fast-path.js'
import { createEventsFastPath } from './events-fast-path.js'
import type { HttpApp } from './app.js'
import type { HttpIngressOptions } from './options.js'

export interface HttpServerOptions extends HttpIngressOptions {
  /** TCP port; 0 picks a free one (read it back from `port`). Default 0. */
  readonly port?: number
  /** Interface to listen on. Default `127.0.0.1`: nothing outside this machine can reach it. */
  readonly host?: string
  /** A client must finish sending its headers within this. Default 10 s (slow-header clients). */
  readonly headersTimeoutMs?: number
  /** A client must finish sending the whole request within this. Default 30 s (slow-body clients). */
  readonly requestTimeoutMs?: number
  /** An idle keep-alive connection is closed after this. Default 5 s. */
  readonly keepAliveTimeoutMs?: number
  /** Largest request head (request line plus headers). Default 16 KiB, Node's own default. */
  readonly maxHeaderBytes?: number
  /** How long `close()` lets in-flight requests finish before cutting connections. Default 10 s. */
  readonly closeTimeoutMs?: number
  /** API keys with scopes (see docs/security.md). Absent or 'none': no credentials are asked for. */
  readonly auth?: AuthOptions | 'none'
  /** Rate limits, a cap on concurrent requests and on JSON nesting depth. Default: none of them. */
  readonly limits?: LimitOptions
}

export interface HttpServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  readonly port: number
  readonly host: string
  readonly app: HttpApp
  readonly server: Server
  /** Reads API key files and env vars again at once (e.g. on SIGHUP); throws, keeping the old keys, if one cannot be read. */
  reloadKeys(): void
  /**
   * Stops accepting connections, lets in-flight requests finish (their appends complete and are
   * answered), then closes every connection. Idempotent.
   */
  close(): Promise<void>
}

function wholeNumber(name: string, value: number | undefined, fallback: number, unit: string): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new OptionsError(`http option "${name}" must be a whole number of ${unit} >= 0, got ${JSON.stringify(value)}`)
  }
  return value
}

function checkingInterval(headersTimeout: number, requestTimeout: number): number {
  const shortest = Math.min(headersTimeout || Infinity, requestTimeout || Infinity)
  return Number.isFinite(shortest) ? Math.min(30_000, Math.max(50, Math.floor(shortest / 2))) : 30_000
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** Serves the ingress over node:http with keep-alive, timeouts against slow clients, and a graceful close. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const port = options.port ?? 0
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) {
    throw new OptionsError(`http option "port" must be an integer from 0 to 65535, got ${JSON.stringify(port)}`)
  }
  const host = options.host ?? '127.0.0.1'
  const headersTimeout = wholeNumber('headersTimeoutMs', options.headersTimeoutMs, 10_000, 'milliseconds')
  const requestTimeout = wholeNumber('requestTimeoutMs', options.requestTimeoutMs, 30_000, 'milliseconds')
  const keepAliveTimeout = wholeNumber('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 5_000, 'milliseconds')
  const closeTimeout = wholeNumber('closeTimeoutMs', options.closeTimeoutMs, 10_000, 'milliseconds')
  const maxHeaderSize = wholeNumber('maxHeaderBytes', options.maxHeaderBytes, 16 * 1024, 'bytes') || 16 * 1024

  let closing = false
  const gate = createRequestGate({ auth: options.auth, limits: options.limits, logger: options.logger, verifiesApi: options.eventBridge?.setGuard !== undefined })
  options.eventBridge?.setGuard?.(gate)
  const ingress = createIngress(options, { isClosing: () => closing, guard: gate })
  const app = ingress.app
  const serveEventsDirectly = createEventsFastPath(ingress)
  const serveEventBridgeDirectly = createEventBridgeFastPath(app, options.eventBridge)
  const listener = getRequestListener(app.fetch)
  const server = createServer(
    // Node wants headersTimeout <= requestTimeout; 0 disables either.
    {
      keepAlive: true,
      headersTimeout: requestTimeout === 0 ? headersTimeout : Math.min(headersTimeout, requestTimeout),
      requestTimeout,
      maxHeaderSize,
      // Node looks for overdue requests only this often (30 s by default), so short timeouts need a shorter sweep.
      connectionsCheckingInterval: checkingInterval(headersTimeout, requestTimeout),
    },
    (req, res) => {
      // A request that arrives on a kept-alive connection during close is still served, then the connection ends.
      if (closing) res.setHeader('connection', 'close')
      // The gate comes first, so the direct paths below get the same checks as the routes.
      if (gate.refuse(req, res)) return
      if (!serveEventsDirectly(req, res) && !serveEventBridgeDirectly(req, res)) void listener(req, res)
    },
  )
  server.keepAliveTimeout = keepAliveTimeout

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      gate.close()
      reject(error)
    })
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const logger = options.logger
  logger?.info({ host, port: address.port }, 'http ingress listening')

  let closed: Promise<void> | undefined
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true
      gate.close()
      // Sweep connections as they go idle: each in-flight request is answered first.
      const sweep = setInterval(() => server.closeIdleConnections(), 25)
      const deadline = setTimeout(() => server.closeAllConnections(), closeTimeout)
      server.close(() => {
        clearInterval(sweep)
        clearTimeout(deadline)
        resolve()
      })
      server.closeIdleConnections()
    })
    return closed
  }

  return { url: `http://${urlHost(host)}:${address.port}`, port: address.port, host, app, server, close, reloadKeys: () => gate.reloadKeys() }
}
