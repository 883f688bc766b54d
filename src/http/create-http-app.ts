import { eventWireSize } from '../event/event-size.js'
import { fromHttp } from '../event/http-read.js'
import { buildIngress, type HttpApp, type Ingress } from './app.js'
import type { HttpIngressOptions } from './options.js'
import type { EventsGuard } from './post-events.js'

/**
 * The ingress as a Hono app: `POST /events` (binary, structured and batch CloudEvents; 202 only after the
 * durable append), `GET /healthz`, `GET /readyz`, and `GET /metrics` when a metrics source is given.
 * Test it in process with `app.request()`; serve it with `startHttpServer`.
 */
export function createHttpApp(options: HttpIngressOptions): HttpApp {
  return createIngress(options).app
}

/** The app plus what `startHttpServer` needs to serve POST /events directly. */
export function createIngress(options: HttpIngressOptions, internals: { isClosing?: () => boolean; guard?: EventsGuard } = {}): Ingress {
  return buildIngress(options, { decode: fromHttp, eventSize: eventWireSize, ...internals })
}
