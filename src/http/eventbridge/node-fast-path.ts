import type { IncomingMessage, ServerResponse } from 'node:http'

interface RoutedApp {
  readonly routes: readonly { readonly path: string }[]
}

/**
 * POST / with an X-Amz-Target served straight from node:http, as POST /events is: the fetch-API adaptor
 * costs more than the operation on PutEvents' path. Open only while no route besides the API's own `/`
 * can match `/` (a wildcard or parameter route, e.g. middleware added later, sends every request through
 * the app again).
 */
export function createEventBridgeFastPath(
  app: RoutedApp,
  api: { serveNode?(req: IncomingMessage, res: ServerResponse): void } | undefined,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const serveNode = api?.serveNode
  if (serveNode === undefined) return () => false
  let checkedRoutes = -1
  let open = false
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/' || req.headers['x-amz-target'] === undefined) return false
    if (app.routes.length !== checkedRoutes) {
      checkedRoutes = app.routes.length
      open = app.routes.every((route) => route.path !== '/' ? !/[*:{?]/.test(route.path) : true)
    }
    if (!open) return false
    serveNode(req, res)
    return true
  }
}
