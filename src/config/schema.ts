import { z } from 'zod'
import { authSchema, limitsSchema } from '../http/auth/auth-config.js'
import { httpTargetSchema, webhookEndpointSchema } from './webhooks-config.js'

/**
 * The shape of `sepal.yaml`. This zod schema is the single source: the TypeScript type, the
 * validation at load time and the JSON Schema in schema/sepal.schema.json (for editors) all come from it.
 * Semantic checks that need more than the shape (pattern syntax, transport schemes, handler modules)
 * run after it, in load-config.ts.
 */

const name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-", starting with a letter or digit')

const timeout = z.int().min(1).max(3_600_000).optional().describe('How long one attempt may take, in ms. Default 30000.')

const handlerTarget = z
  .strictObject({
    handler: z
      .string()
      .regex(/^[^#]+#[A-Za-z_$][\w$]*$/, 'write the handler as "module#export", e.g. "./handlers.js#onOrderPlaced"')
      .describe('An in-process function: "module#export", the module path relative to this file.'),
    name: name.optional().describe('Target name used in logs, metrics and dead letters. Default: the handler reference.'),
    publishTo: name.optional().describe('Topic for the events the handler returns. Default: the engine topic.'),
    timeoutMs: timeout,
  })
  .describe('Run a function exported by a JavaScript module.')

const publishTarget = z
  .strictObject({
    publish: name.describe('Topic to publish the matched event to.'),
    name: name.optional().describe('Target name used in logs, metrics and dead letters. Default: "publish:<topic>".'),
    timeoutMs: timeout,
  })
  .describe('Publish the matched event to another topic.')

const retrySchema = z
  .strictObject({
    maxAttempts: z.int().min(1).max(1000).optional().describe('Attempts in all, the first included. Default 3.'),
    initialDelayMs: z.int().min(0).max(86_400_000).optional().describe('Upper bound of the first backoff window (full jitter). Default 200.'),
    maxDelayMs: z.int().min(0).max(86_400_000).optional().describe('Upper bound of any backoff window. Default 60000.'),
    maxAgeMs: z.int().min(1).optional().describe('Give up on events older than this (by their time). Default one day.'),
  })
  .describe('Retry policy: exponential backoff with full jitter, then the dead letter.')

const ruleIdempotencySchema = z
  .union([
    z.literal(false),
    z.strictObject({
      leaseMs: z.int().min(1).optional().describe('How long a claim holds before another worker may take over. Default 60000.'),
      ttlMs: z.int().min(1).optional().describe('How long a completion is remembered. Default 7 days.'),
    }),
  ])
  .describe('false turns idempotency off for this rule.')

export const ruleSchema = z
  .strictObject({
    name: name.describe('Unique rule name.'),
    description: z.string().optional(),
    pattern: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .describe('An EventBridge event pattern (an object, or its JSON text). See docs/patterns.md.'),
    targets: z.array(z.union([handlerTarget, publishTarget, httpTargetSchema])).min(1).describe('What to do with a matching event.'),
    maxAttempts: z.int().min(1).max(1000).optional().describe('Attempts per target before the event is given up on.'),
    retry: retrySchema.optional(),
    idempotency: ruleIdempotencySchema.optional(),
    orderBy: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'write the ordering key as a dotted path into the event, e.g. "data.customerId" or "subject"')
      .optional()
      .describe('Dotted path of the ordering key in the CloudEvent (e.g. "data.customerId"): same key, one at a time, in order.'),
    concurrency: z.int().min(1).max(100_000).optional().describe('Events this rule works on at once. Default: all in flight.'),
    example: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('A sample event this rule matches (CloudEvent JSON members); `sepal run` prints it as a ready-to-paste curl.'),
  })
  .describe('One rule: every event matching the pattern is handed to each target.')

export const httpSchema = z
  .strictObject({
    port: z.int().min(0).max(65535).default(8080).describe('TCP port of the HTTP ingress; 0 picks a free one.'),
    host: z.string().min(1).default('127.0.0.1').describe('Interface to listen on. Anything but loopback is reachable from the network.'),
    maxEventBytes: z.int().min(1).max(64 * 1024 * 1024).default(256 * 1024).describe('Size limit of one event in bytes.'),
  })
  .describe('The HTTP ingress (POST /events, /healthz, /readyz, /metrics).')

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors.'),
    transport: z
      .string()
      .min(1)
      .optional()
      .describe('Transport URL: "sqlite:./dir" (the embedded durable log), "memory:". Default: the embedded log in ./.sepal/.'),
    topic: name.default('events').describe('Topic the engine consumes and the ingress appends to.'),
    group: name.default('sepal').describe('Consumer group of this engine.'),
    http: httpSchema.prefault({}),
    auth: authSchema,
    limits: limitsSchema,
    rules: z.array(ruleSchema).default([]),
    allowHosts: z
      .array(z.string().min(1))
      .optional()
      .describe('Hosts every HTTP target may call although they resolve to loopback, private, link-local or metadata addresses (e.g. "127.0.0.1", "*.svc.cluster.local"). Default: none. See docs/security.md.'),
    webhooks: z.array(webhookEndpointSchema).default([]).describe('Signed webhook endpoints, each at POST /webhooks/<name>. See docs/webhooks.md.'),
    retry: retrySchema.optional().describe('Defaults of every rule\'s retry policy.'),
    idempotency: z
      .strictObject({
        store: z
          .string()
          .regex(/^(sqlite|memory|none|rediss?:\/\/.+|postgres(ql)?:\/\/.+)$/, 'use "sqlite", "memory", "none", a redis:// URL or a postgres:// URL')
          .default('sqlite')
          .describe('"sqlite" (in the data directory), "memory", "none", "redis://host:port" or "postgres://user@host/db".'),
        leaseMs: z.int().min(1).optional(),
        ttlMs: z.int().min(1).optional(),
      })
      .prefault({})
      .describe('Idempotency of side effects: a duplicate delivery never runs a target twice. On by default.'),
    deadLetters: z
      .strictObject({
        store: z
          .enum(['sqlite', 'topic'])
          .default('sqlite')
          .describe('"sqlite": dead-letters.db in the data directory (sepal dlq works on it); "topic": <topic>.dead-letters on the transport.'),
      })
      .prefault({})
      .describe('Where events go once a target gives up on them.'),
  })
  .describe('sepal configuration (sepal.yaml).')

/** The file as written (defaults not yet applied). */
export type SepalConfigInput = z.input<typeof configSchema>
/** The file after validation, defaults applied. */
export type SepalConfig = z.output<typeof configSchema>
export type RuleConfig = z.output<typeof ruleSchema>
export type HttpConfig = z.output<typeof httpSchema>
