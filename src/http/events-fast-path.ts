import type { IncomingMessage, ServerResponse } from 'node:http'
import { ErrorCodes } from '../errors.js'
import type { Ingress } from './app.js'
import { nodeHeaders, problemOutcome, type HttpOutcome } from './problem.js'
import { readNodeBody } from './read-body.js'

/** A route may reach /events unless its path is a plain literal other than /events. */
function mayMatchEvents(path: string): boolean {
  return path === '/events' || /[*:{?]/.test(path)
}

/**
 * POST /events served straight from node:http, skipping the fetch-API adaptor and the router: the same
 * acceptor as the Hono route, a few microseconds less per request on the hottest path. It stays open
 * only while no route or middleware besides the ingress's own can match /events, so anything added to the
 * app later (authentication, rate limits) switches it off by itself and every request goes through Hono.
 */
export function createEventsFastPath(ingress: Ingress): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { app, acceptEvents, eventsHandlers, logger } = ingress
  let checkedRoutes = -1
  let open = false

  const isOpen = (): boolean => {
    if (app.routes.length !== checkedRoutes) {
      checkedRoutes = app.routes.length
      open = app.routes.every((route) => eventsHandlers.has(route.handler) || !mayMatchEvents(route.path))
    }
    return open
  }

  const write = (res: ServerResponse, outcome: HttpOutcome): void => {
    res.writeHead(outcome.status, nodeHeaders(outcome))
    res.end(outcome.body)
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      write(res, await acceptEvents(req.headers, (limit) => readNodeBody(req, req.headers['content-length'], limit)))
    } catch (error) {
      logger.error({ err: error }, 'an HTTP request failed unexpectedly')
      if (res.headersSent) res.destroy()
      else write(res, problemOutcome(500, ErrorCodes.INTERNAL, 'the request failed because of an internal error; nothing was accepted, retry later'))
    }
  }

  return (req, res) => {
    const url = req.url
    if (req.method !== 'POST' || url === undefined || !(url === '/events' || url.startsWith('/events?')) || !isOpen()) return false
    void serve(req, res)
    return true
  }
}
