import { Hono } from 'hono'
import { ErrorCodes } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { createMetricsRoute, createReadyz, healthz, toMetricsSource } from './health.js'
import { resolveIngressOptions, type HttpIngressOptions, type ResolvedIngressOptions } from './options.js'
import { createEventsAcceptor, createPostEventsHandler, type EventsAcceptor, type EventsGuard, type HttpEventDecoder, type NodeBindings } from './post-events.js'
import { problemResponse } from './problem.js'
import { resolveWebhookEndpoints } from './webhooks/endpoint-options.js'
import { addWebhookRoutes } from './webhooks/webhook-routes.js'

export type HttpApp = Hono<{ Bindings: NodeBindings }>

/** Seams the server and the tests fill; not part of the public options. */
export interface HttpAppInternals {
  readonly decode: HttpEventDecoder
  readonly eventSize: (event: CloudEvent) => number
  /** True once the server has begun a graceful close: /readyz then answers 503. */
  readonly isClosing?: () => boolean
  /** The server's request gate: body and source checks inside POST /events. */
  readonly guard?: EventsGuard | undefined
}

function methodNotAllowed(allow: readonly string[]): () => Response {
  const header = allow.join(', ')
  return () =>
    problemResponse(405, ErrorCodes.METHOD_NOT_ALLOWED, `this endpoint takes ${header} only`, { headers: { allow: header } })
}

export interface Ingress {
  readonly app: HttpApp
  /** POST /events as a plain function, for the server's direct path (see events-fast-path.ts). */
  readonly acceptEvents: EventsAcceptor
  /** The handlers this module registered for /events; any other route that can match /events is someone else's. */
  readonly eventsHandlers: ReadonlySet<unknown>
  readonly logger: ResolvedIngressOptions['logger']
}

/**
 * Builds the ingress as a Hono app: testable in process with `app.request()`, served over node:http by
 * `startHttpServer`. Later endpoints (webhooks, the EventBridge API) are added as routes on the same app.
 */
export function buildIngress(options: HttpIngressOptions, internals: HttpAppInternals): Ingress {
  const resolved = resolveIngressOptions(options)
  const isClosing = internals.isClosing ?? (() => false)
  const app: HttpApp = new Hono()

  const acceptEvents = createEventsAcceptor({ options: resolved, decode: internals.decode, eventSize: internals.eventSize, guard: internals.guard })
  const postEvents = createPostEventsHandler(acceptEvents)
  const eventsNotAllowed = methodNotAllowed(['POST'])
  app.post('/events', postEvents)
  app.all('/events', eventsNotAllowed)

  // Hono answers HEAD with the GET handler (body dropped), so both are allowed.
  app.get('/healthz', healthz)
  app.all('/healthz', methodNotAllowed(['GET', 'HEAD']))
  app.get('/readyz', createReadyz(resolved.ready, isClosing))
  app.all('/readyz', methodNotAllowed(['GET', 'HEAD']))
  if (resolved.metrics !== undefined) {
    app.get('/metrics', createMetricsRoute(toMetricsSource(resolved.metrics)))
    app.all('/metrics', methodNotAllowed(['GET', 'HEAD']))
  }
  if (options.webhooks !== undefined && options.webhooks.length > 0) {
    const endpoints = resolveWebhookEndpoints(options.webhooks, { maxBytes: resolved.maxEventBytes, topic: resolved.topic })
    addWebhookRoutes(app, endpoints, resolved)
  }
  if (options.eventBridge !== undefined) {
    const eventBridge = options.eventBridge
    app.post('/', (c) => eventBridge.handle(c.req.raw, (c.env as NodeBindings | undefined)?.incoming))
    app.all('/', methodNotAllowed(['POST']))
  }

  app.notFound((c) =>
    problemResponse(404, ErrorCodes.ROUTE_NOT_FOUND, `no endpoint at ${JSON.stringify(c.req.path.slice(0, 200))}; events go to POST /events`),
  )
  app.onError((error) => {
    resolved.logger.error({ err: error }, 'an HTTP request failed unexpectedly')
    return problemResponse(500, ErrorCodes.INTERNAL, 'the request failed because of an internal error; nothing was accepted, retry later')
  })
  return { app, acceptEvents, eventsHandlers: new Set<unknown>([postEvents, eventsNotAllowed]), logger: resolved.logger }
}

export function buildHttpApp(options: HttpIngressOptions, internals: HttpAppInternals): HttpApp {
  return buildIngress(options, internals).app
}
