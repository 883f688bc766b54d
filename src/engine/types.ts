import type { DeadLetterSink } from '../delivery/dead-letter-store.js'
import type { IdempotencyStore } from '../delivery/idempotency.js'
import type { RetryPolicyOverride } from '../delivery/retry-policy.js'
import type { CloudEvent } from '../event/cloud-event.js'
import type { PublishOptions, Transport } from '../transports/contract.js'
import type { Metrics } from './metrics.js'
import type { SettlementPolicy } from './settle.js'

/** A logger in pino's shape; the engine defaults to a no-op one. Never handed secrets or event data. */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

/** An EventBridge event pattern: a JSON object (or its JSON text). */
export type EventPattern = Readonly<Record<string, unknown>> | string

export interface HandlerContext {
  readonly rule: string
  readonly target: string
  /** 1 on the first attempt. */
  readonly attempt: number
  /** Aborted when the target times out or the engine stops past its drain budget. */
  readonly signal: AbortSignal
  readonly logger: Logger
  /** The engine's counters: a handler may bump its own (`ctx.metrics.increment('orders_total')`). */
  readonly metrics: Metrics
  /**
   * The idempotency key this attempt holds a lease on, when idempotency is on for the rule. A handler
   * whose side effect lives in the store's database can complete the key in the same transaction.
   */
  readonly idempotencyKey?: string | undefined
}

/** What a handler may return: nothing, or events for the engine to publish (to its topic by default). */
export type HandlerResult = void | undefined | readonly CloudEvent[]

/**
 * Handlers only return or throw; the engine owns ack and nack. Returned events are published.
 * Declared through a method so its parameter is bivariant: a `Handler<Order>` can be a rule's target
 * without a cast (the pattern is what makes the data an Order; the type cannot prove it).
 */
export type Handler<T = unknown> = {
  handle(event: CloudEvent<T>, ctx: HandlerContext): HandlerResult | Promise<HandlerResult>
}['handle']

interface TargetCommon {
  /** Unique within the rule; used in logs, metrics and reports. Default: see each kind. */
  readonly name?: string
  /** How long one attempt may take before it fails with SEPAL_ERR_TARGET_TIMEOUT. Default 30 000 ms. */
  readonly timeoutMs?: number
  /** This target's own retry policy, over the rule's. */
  readonly retry?: RetryPolicyOverride
}

/** Runs a function in process. Default name: the function's name, else `handler-<n>` (1-based). */
export interface HandlerTarget extends TargetCommon {
  readonly kind: 'handler'
  readonly handler: Handler
  /** Topic the handler's returned events go to. Default: the engine's topic. */
  readonly publishTo?: string
}

/** Publishes the matched event, unchanged, to another topic. Default name: `publish:<topic>`. */
export interface PublishTarget extends TargetCommon {
  readonly kind: 'publish'
  readonly topic: string
}

/**
 * Delivers the event by HTTP POST (a webhook out). Default name: `http:<host><path>`; default timeout 10 s.
 * See docs/webhooks.md for what each answer of the receiver means.
 */
export interface HttpTarget extends TargetCommon {
  readonly kind: 'http'
  /** http: or https: URL. Redirects are never followed. */
  readonly url: string
  /** CloudEvents HTTP binding mode. Default `binary` (attributes in `ce-` headers, the data as the body). */
  readonly mode?: 'binary' | 'structured'
  /** Standard Webhooks signing secret(s), `whsec_…` or `whsk_…`; several sign with each (rotation). */
  readonly secret?: string | readonly string[]
  /** Extra request headers (e.g. an Authorization for the receiver). */
  readonly headers?: Readonly<Record<string, string>>
  /** Requests in flight at once to this target. Default: no limit besides the engine's. */
  readonly concurrency?: number
  /** Requests started per second, evenly spaced. Default: no limit. */
  readonly rateLimit?: number
  /** Opens after consecutive failures and sends one probe after the cool-down. Default on (5 failures, 30 s); `false` turns it off. */
  readonly circuitBreaker?: { readonly failureThreshold?: number; readonly cooldownMs?: number } | false
  /** Sends this text instead of the CloudEvent (e.g. an input transformer's output); undefined sends nothing. */
  readonly input?: (event: CloudEvent) => string | undefined
  /**
   * Hosts this target may call even though they resolve to loopback, private, link-local or metadata
   * addresses (exact names or IPs, or "*.example.com"). Default: none; see docs/security.md.
   */
  readonly allowHosts?: readonly string[]
}

export type Target = HandlerTarget | PublishTarget | HttpTarget

export interface Rule {
  readonly name: string
  readonly pattern: EventPattern
  readonly targets: readonly Target[]
  /** Attempts per target before a failing event is dead-lettered. Default 3 (same as `retry.maxAttempts`). */
  readonly maxAttempts?: number
  /** Backoff, age limit and what is retryable, for every target of the rule (each may override). */
  readonly retry?: RetryPolicyOverride
  /**
   * Idempotency of the rule's side effects when the engine has a store: on by default, keyed by the
   * event's `source` + `id` (and the rule and target). `false` turns it off for this rule.
   */
  readonly idempotency?: false | RuleIdempotency
  /**
   * The ordering key: events with the same key run this rule's targets one at a time, in order, also
   * across retries (a waiting retry holds its key, and only its key). Default: no ordering.
   */
  readonly orderBy?: (event: CloudEvent) => string | undefined
  /** Events this rule works on at once (across keys). Default: the engine's `maxInFlight`. */
  readonly concurrency?: number
}

export interface RuleIdempotency {
  /** The key of an event. Default: `source` + `id`. */
  readonly key?: ((event: CloudEvent) => string) | undefined
  /** How long a claim holds before another worker may take over (a crashed worker's claim). Default 60 000 ms. */
  readonly leaseMs?: number | undefined
  /** How long a completion is remembered. Default 7 days. */
  readonly ttlMs?: number | undefined
}

export interface EngineIdempotency {
  readonly store: IdempotencyStore
  readonly leaseMs?: number | undefined
  readonly ttlMs?: number | undefined
}

/**
 * `ok`: the target ran and succeeded. `failed`: it threw, rejected or timed out. `skipped`: it had
 * already succeeded on an earlier attempt, so it was not run again. `dead-lettered` and `duplicate`
 * are set by the delivery policy.
 */
export type TargetOutcome = 'ok' | 'failed' | 'skipped' | 'dead-lettered' | 'duplicate'

export interface TargetReport {
  readonly rule: string
  readonly target: string
  readonly outcome: TargetOutcome
  readonly error?: unknown
  /** Events the target published (a publish target's copy, or a handler's returned events). */
  readonly published?: readonly CloudEvent[]
  /** A failure whose retry policy already gave up (ordered rules retry in place): dead-letter it now. */
  readonly final?: boolean
  /** Attempts the target made, when it differs from the delivery's attempt (retried in place). */
  readonly attempts?: number
}

export interface DispatchReport {
  readonly event: CloudEvent
  /** 1 for the first attempt (the delivery's attempt when consumed from a transport). */
  readonly attempt: number
  /** Names of the matched rules, in the order they were added. */
  readonly matched: readonly string[]
  /** One entry per target of each matched rule, in rule then target order. */
  readonly targets: readonly TargetReport[]
}

/** What the engine did with a consumed delivery. `give-up` acks a delivery whose attempts ran out. */
export type Settlement = 'ack' | 'nack' | 'give-up'

export interface EngineHooks {
  onReceived?(event: CloudEvent, attempt: number): void
  onMatched?(event: CloudEvent, rules: readonly string[]): void
  onFailed?(event: CloudEvent, rule: string, target: string, error: unknown): void
  onSettled?(report: DispatchReport, settlement: Settlement): void
}

export interface EngineOptions {
  readonly transport: Transport
  /** Topic the engine consumes and `publish()` writes to. Default `events`. */
  readonly topic?: string
  /** Consumer group. Default `sepal`. */
  readonly group?: string
  readonly rules?: readonly Rule[]
  /** Hosts every HTTP target may call although they resolve to private or loopback addresses (docs/security.md). */
  readonly allowHosts?: readonly string[]
  /** Deliveries processed at once. Default 64. */
  readonly maxInFlight?: number
  /** Where a group that never consumed the topic starts. Default `latest` (the transport's default). */
  readonly from?: 'latest' | 'earliest'
  /**
   * How long a delivery may stay unsettled before the transport hands it to another consumer (a crashed
   * worker's events come back after this). Default: the transport's (30 s for the built-in ones).
   */
  readonly visibilityTimeoutMs?: number
  readonly logger?: Logger
  readonly hooks?: EngineHooks
  /** Counters to record into; default a fresh registry, exposed as `engine.metrics`. */
  readonly metrics?: Metrics
  /**
   * How consumed deliveries are settled. Default: the attempt limit (`maxAttempts` per rule, then give
   * up), skipping on a redelivery the targets that already succeeded in this process.
   */
  readonly settlement?: SettlementPolicy
  /** Most rules the engine holds; `addRule` beyond it throws SEPAL_ERR_RULE_LIMIT. Default 10 000. */
  readonly maxRules?: number
  /** Defaults of every rule's retry policy. */
  readonly retry?: RetryPolicyOverride
  /** Where events go when a target gives up on them. Default: the topic `<topic>.dead-letters` of the transport. */
  readonly deadLetters?: DeadLetterSink
  /** Turns idempotency on for every rule (unless a rule says `idempotency: false`). Default: off. */
  readonly idempotency?: EngineIdempotency
}

export interface StopOptions {
  /** How long in-flight work may take to finish before handlers' signals are aborted. Default 10 000 ms. */
  readonly drainTimeoutMs?: number
}

export interface Engine {
  addRule(rule: Rule): void
  removeRule(name: string): boolean
  readonly rules: readonly Rule[]
  readonly metrics: Metrics
  /** Validates the events (all or nothing) and publishes them to the engine's topic, with the transport's ordering key if given. */
  publish(events: CloudEvent | readonly CloudEvent[], options?: PublishOptions): Promise<void>
  /** Runs one event through matching and targets in process, without consuming: the test entry point. */
  dispatch(event: CloudEvent): Promise<DispatchReport>
  /** Subscribes and consumes until `stop()`. Resolves once subscribed. */
  start(): Promise<void>
  /** Stops fetching, drains in-flight work within the budget, settles. Idempotent. */
  stop(options?: StopOptions): Promise<void>
}
