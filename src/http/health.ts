import type { Context } from 'hono'
import { renderPrometheus, type Metrics } from '../engine/metrics.js'
import { ErrorCodes } from '../errors.js'
import type { MetricsSource } from './options.js'
import { jsonResponse, problemResponse } from './problem.js'

/** GET /healthz: the process is up and serving. Says nothing about the transport. */
export function healthz(): Response {
  return jsonResponse(200, { status: 'ok' })
}

/**
 * GET /readyz: the transport can take appends (and the server is not shutting down). A failing
 * readiness check answers 503 rather than 500: load balancers should route elsewhere, not alarm.
 */
export function createReadyz(isReady: () => boolean | Promise<boolean>, isClosing: () => boolean) {
  return async (): Promise<Response> => {
    if (isClosing()) return jsonResponse(503, { status: 'closing' })
    let ready = false
    try {
      ready = await isReady()
    } catch {
      ready = false
    }
    return jsonResponse(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' })
  }
}

export function toMetricsSource(metrics: Metrics | MetricsSource): MetricsSource {
  return typeof metrics === 'function' ? metrics : () => renderPrometheus(metrics)
}

/** GET /metrics in the Prometheus text format. */
export function createMetricsRoute(source: MetricsSource) {
  return async (c: Context): Promise<Response> => {
    try {
      const text = await source()
      return c.body(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
    } catch {
      return problemResponse(500, ErrorCodes.INTERNAL, 'the metrics could not be rendered; retry later')
    }
  }
}
