import type { IncomingHttpHeaders } from 'node:http'
import type { AuthScope, Principal } from './key-ring.js'

/** What an endpoint asks of the caller: nothing (health probes, signed webhooks) or a scope. */
export type Requirement = 'open' | AuthScope

const READ_OPERATIONS = /^(AWSEvents\.|)(List|Describe|Test)/

/**
 * Which scope a request needs, from its method, path and (for the EventBridge API) its X-Amz-Target.
 * Anything not named here needs admin, so an endpoint added later is closed until someone opens it.
 */
export function requirementOf(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): Requirement {
  const path = (url ?? '/').split('?', 1)[0] ?? '/'
  if (path === '/healthz' || path === '/readyz') return 'open'
  // Webhook endpoints verify their own signatures; an API key would be the wrong credential there.
  if (path.startsWith('/webhooks/')) return 'open'
  if (path === '/events') return 'publish'
  if (path === '/metrics') return 'read'
  if (path === '/') {
    const target = headers['x-amz-target']
    const operation = typeof target === 'string' ? (target.split('.').pop() ?? '') : ''
    if (operation === 'PutEvents') return 'publish'
    if (READ_OPERATIONS.test(operation)) return 'read'
    return 'admin'
  }
  return method === 'GET' || method === 'HEAD' ? 'read' : 'admin'
}

export function allows(principal: Principal, requirement: AuthScope): boolean {
  return principal.scope === 'admin' || principal.scope === requirement
}

/** The key from `Authorization: Bearer <key>`, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization
  if (typeof value !== 'string') return undefined
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value)
  return match?.[1]
}

/** True when every event's source starts with one of the allowed prefixes. */
export function sourcesAllowed(allowed: readonly string[], sources: readonly string[]): boolean {
  return sources.every((source) => allowed.some((prefix) => source.startsWith(prefix)))
}
