import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import type { HttpTarget } from '../engine/types.js'
import type { WebhookEndpointOptions, WebhookValueSource } from '../http/webhooks/endpoint-options.js'
import { createWebhookSigner } from '../http/webhooks/sign-webhook.js'
import { createWebhookVerifier } from '../http/webhooks/verify-webhook.js'

/**
 * The webhook parts of sepal.yaml: `http` targets (webhooks out) and `webhooks` endpoints (webhooks in).
 * Secrets never sit in the file: they are named by environment variable or file, read at load time.
 */

const targetName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-", starting with a letter or digit')
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. WEBHOOK_SECRET')
const secretSources = {
  secretsFromEnv: z.array(envName).optional().describe('Environment variables holding secrets (several while rotating).'),
  secretsFromFiles: z.array(z.string().min(1)).optional().describe('Files holding one secret each, relative to this file.'),
}
const valueSource = z.union([
  z.strictObject({ header: z.string().min(1).describe('Header name, any case.') }),
  z.strictObject({ field: z.string().min(1).describe('Dotted path into the JSON body, e.g. "data.type".') }),
])

export const httpTargetSchema = z
  .strictObject({
    http: z.url({ protocol: /^https?$/ }).describe('URL to POST the matched event to. Redirects are never followed.'),
    name: targetName.optional().describe('Target name used in logs, metrics and dead letters. Default: "http:<host><path>".'),
    mode: z.enum(['binary', 'structured']).optional().describe('CloudEvents HTTP mode. Default binary.'),
    timeoutMs: z.int().min(1).max(3_600_000).optional().describe('How long one request may take, in ms. Default 10000.'),
    headers: z.record(z.string(), z.string()).optional().describe('Extra request headers.'),
    headersFromEnv: z
      .record(z.string(), envName)
      .optional()
      .describe('Extra request headers whose values are secrets, each read from the named environment variable, e.g. { authorization: RECEIVER_TOKEN }.'),
    concurrency: z.int().min(1).max(100_000).optional().describe('Requests in flight at once.'),
    rateLimit: z.number().positive().optional().describe('Requests started per second.'),
    circuitBreaker: z
      .union([z.literal(false), z.strictObject({ failureThreshold: z.int().min(1).optional(), cooldownMs: z.int().min(1).optional() })])
      .optional()
      .describe('Pause after consecutive failures (default 5, 30000 ms); false turns it off.'),
    allowHosts: z
      .array(z.string().min(1))
      .optional()
      .describe('Hosts this target may call although they resolve to loopback, private, link-local or metadata addresses. See docs/security.md.'),
    ...secretSources,
  })
  .describe('Deliver the matched event over HTTP, signed with Standard Webhooks headers when a secret is given.')

export const webhookEndpointSchema = z
  .strictObject({
    name: targetName.describe('The endpoint is POST /webhooks/<name>.'),
    scheme: z.enum(['standard-webhooks', 'github', 'stripe', 'bearer']).describe('How requests are verified.'),
    ...secretSources,
    toleranceSec: z.int().min(0).max(86_400).optional().describe('Accepted clock distance of the signed timestamp. Default 300.'),
    typeFrom: valueSource.optional().describe('Where the event type is read. Default: X-GitHub-Event for github, else the body field "type".'),
    defaultType: z.string().min(1).optional().describe('Event type when typeFrom finds nothing. Default "webhook.<name>".'),
    idFrom: valueSource.optional().describe("Where the event id is read. Default: the scheme's delivery id."),
    source: z.string().min(1).optional().describe('Event source. Default "/webhooks/<name>".'),
    maxBytes: z.int().min(1).max(64 * 1024 * 1024).optional().describe('Largest accepted body. Default: http.maxEventBytes.'),
  })
  .describe('A signed webhook endpoint; verified requests become events.')

export type HttpTargetConfig = z.output<typeof httpTargetSchema>
export type WebhookEndpointConfig = z.output<typeof webhookEndpointSchema>

export interface SecretContext {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly baseDirectory: string
  /** Reports a problem at a path relative to the object the secrets belong to. */
  readonly problem: (path: ReadonlyArray<string | number>, message: string) => void
}

/** Reads the secrets an object names; every missing one is reported, none is ever echoed. */
export function readSecrets(source: { secretsFromEnv?: string[] | undefined; secretsFromFiles?: string[] | undefined }, ctx: SecretContext): string[] {
  const secrets: string[] = []
  source.secretsFromEnv?.forEach((name, i) => {
    const value = ctx.env[name]
    if (value === undefined || value.trim() === '') ctx.problem(['secretsFromEnv', i], `environment variable ${name} is not set; export it before starting sepal`)
    else secrets.push(value.trim())
  })
  source.secretsFromFiles?.forEach((file, i) => {
    try {
      const value = readFileSync(resolve(ctx.baseDirectory, file), 'utf8').trim()
      if (value === '') ctx.problem(['secretsFromFiles', i], `secret file ${JSON.stringify(file)} is empty`)
      else secrets.push(value)
    } catch {
      ctx.problem(['secretsFromFiles', i], `secret file ${JSON.stringify(file)} cannot be read; check the path (relative to this file)`)
    }
  })
  return secrets
}

/** Parses the secrets now, so a malformed one is reported with the config's other problems, not at start-up. */
function checkParses(ctx: SecretContext, secrets: readonly string[], parse: () => unknown): void {
  if (secrets.length === 0) return
  try {
    parse()
  } catch (error) {
    ctx.problem([], error instanceof Error ? error.message : String(error))
  }
}

export function httpTargetFromConfig(target: HttpTargetConfig, ctx: SecretContext): HttpTarget {
  const secrets = readSecrets(target, ctx)
  checkParses(ctx, secrets, () => createWebhookSigner(secrets))
  const { http: url, secretsFromEnv: _env, secretsFromFiles: _files, headersFromEnv, ...rest } = target
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<HttpTarget, 'kind' | 'url'>
  const secretHeaders: Record<string, string> = {}
  for (const [header, name] of Object.entries(headersFromEnv ?? {})) {
    const value = ctx.env[name]
    if (value === undefined || value.trim() === '') ctx.problem(['headersFromEnv', header], `environment variable ${name} is not set; export it before starting sepal`)
    else secretHeaders[header] = value.trim()
  }
  const headers = headersFromEnv === undefined ? {} : { headers: { ...(target.headers ?? {}), ...secretHeaders } }
  return { kind: 'http', url, ...defined, ...headers, ...(secrets.length > 0 ? { secret: secrets } : {}) }
}

export function webhookEndpointFromConfig(endpoint: WebhookEndpointConfig, ctx: SecretContext): WebhookEndpointOptions {
  const secrets = readSecrets(endpoint, ctx)
  checkParses(ctx, secrets, () => createWebhookVerifier({ scheme: endpoint.scheme, secrets }))
  if (endpoint.secretsFromEnv === undefined && endpoint.secretsFromFiles === undefined) {
    ctx.problem([], `webhook ${JSON.stringify(endpoint.name)} has no secrets; name them with secretsFromEnv or secretsFromFiles`)
  }
  const { secretsFromEnv: _env, secretsFromFiles: _files, typeFrom, idFrom, ...rest } = endpoint
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as unknown as Omit<WebhookEndpointOptions, 'secrets'>
  return {
    ...defined,
    secrets,
    ...(typeFrom === undefined ? {} : { typeFrom: typeFrom as WebhookValueSource }),
    ...(idFrom === undefined ? {} : { idFrom: idFrom as WebhookValueSource }),
  }
}
