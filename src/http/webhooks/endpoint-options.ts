import { OptionsError } from '../../errors.js'
import type { VerifyWebhookOptions } from './types.js'
import { createWebhookVerifier, type WebhookVerifier } from './verify-webhook.js'

/** Where a value of the request is read from: a header (any case) or a top-level-or-dotted field of the JSON body. */
export type WebhookValueSource = { readonly header: string } | { readonly field: string }

/** One `POST /webhooks/<name>` endpoint. */
export interface WebhookEndpointOptions extends VerifyWebhookOptions {
  /** The path segment: letters, digits, ".", "_" or "-". */
  readonly name: string
  /** The event's `type`. Default per scheme: GitHub the `X-GitHub-Event` header, else the body field `type`. */
  readonly typeFrom?: WebhookValueSource
  /** `type` when `typeFrom` finds nothing. Default `webhook.<name>`. */
  readonly defaultType?: string
  /**
   * The event's `id`, so a redelivered webhook collapses into the same event. Default per scheme:
   * `webhook-id`, `X-GitHub-Delivery`, the Stripe event's `id` field; bearer: an `Idempotency-Key` or
   * `webhook-id` header when present. When nothing is found the event gets a random id.
   */
  readonly idFrom?: WebhookValueSource
  /** The event's `source`. Default `/webhooks/<name>`. */
  readonly source?: string
  /** Largest accepted body in bytes. Default: the ingress's `maxEventBytes`. */
  readonly maxBytes?: number
  /** Topic the events go to. Default: the ingress's topic. */
  readonly topic?: string
}

export interface ResolvedWebhookEndpoint {
  readonly name: string
  readonly path: string
  readonly verify: WebhookVerifier
  readonly typeFrom: WebhookValueSource
  readonly defaultType: string
  readonly idFrom: readonly WebhookValueSource[]
  readonly source: string
  readonly maxBytes: number
  readonly topic: string
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

function defaultIdSources(scheme: VerifyWebhookOptions['scheme']): WebhookValueSource[] {
  switch (scheme) {
    case 'standard-webhooks':
      return [{ header: 'webhook-id' }, { header: 'svix-id' }]
    case 'github':
      return [{ header: 'x-github-delivery' }]
    case 'stripe':
      return [{ field: 'id' }]
    case 'bearer':
      return [{ header: 'idempotency-key' }, { header: 'webhook-id' }]
  }
}

function checkSource(where: string, option: string, value: WebhookValueSource | undefined): void {
  if (value === undefined) return
  const given = (value as { header?: unknown }).header ?? (value as { field?: unknown }).field
  if (typeof given !== 'string' || given === '') {
    throw new OptionsError(`${where}: "${option}" must be { header: "<name>" } or { field: "<path>" }, got ${JSON.stringify(value)}`)
  }
}

/** Checks every endpoint at start-up and builds its verifier (secrets are parsed once, here). */
export function resolveWebhookEndpoints(
  endpoints: readonly WebhookEndpointOptions[],
  defaults: { readonly maxBytes: number; readonly topic: string },
): ResolvedWebhookEndpoint[] {
  const seen = new Set<string>()
  return endpoints.map((endpoint, index) => {
    const where = `webhook endpoint ${index + 1}`
    if (typeof endpoint.name !== 'string' || !NAME.test(endpoint.name)) {
      throw new OptionsError(`${where}: name ${JSON.stringify(endpoint.name)} must be letters, digits, ".", "_" or "-" (it is the URL path)`)
    }
    if (seen.has(endpoint.name)) throw new OptionsError(`${where}: the name ${JSON.stringify(endpoint.name)} is used twice; names must be unique`)
    seen.add(endpoint.name)
    checkSource(where, 'typeFrom', endpoint.typeFrom)
    checkSource(where, 'idFrom', endpoint.idFrom)
    const maxBytes = endpoint.maxBytes ?? defaults.maxBytes
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new OptionsError(`${where}: maxBytes must be a positive integer, got ${JSON.stringify(endpoint.maxBytes)}`)
    }
    return {
      name: endpoint.name,
      path: `/webhooks/${endpoint.name}`,
      verify: createWebhookVerifier(endpoint),
      typeFrom: endpoint.typeFrom ?? (endpoint.scheme === 'github' ? { header: 'x-github-event' } : { field: 'type' }),
      defaultType: endpoint.defaultType ?? `webhook.${endpoint.name}`,
      idFrom: endpoint.idFrom === undefined ? defaultIdSources(endpoint.scheme) : [endpoint.idFrom],
      source: endpoint.source ?? `/webhooks/${endpoint.name}`,
      maxBytes,
      topic: endpoint.topic ?? defaults.topic,
    }
  })
}
