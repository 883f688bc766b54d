import { eventWireSize } from '../event/event-size.js'
import { fromHttp } from '../event/http-read.js'
import { buildHttpApp, type HttpApp } from './app.js'
import type { HttpIngressOptions } from './options.js'

/**
 * The ingress as a Hono app: `POST /events` (binary, structured and batch CloudEvents; 202 only after the
 * durable append), `GET /healthz`, `GET /readyz`, and `GET /metrics` when a metrics source is given.
 * Test it in process with `app.request()`; serve it with `startHttpServer`.
 */
export function createHttpApp(options: HttpIngressOptions, internals: { isClosing?: () => boolean } = {}): HttpApp {
  return buildHttpApp(options, { decode: fromHttp, eventSize: eventWireSize, ...internals })
}
