// The public API of sepal: an explicit list, no `export *`.

// errors
export { SepalError, PermanentError, OptionsError, ErrorCodes } from './errors.js'
export type { ErrorCode, SepalErrorOptions } from './errors.js'

// event
export type { CloudEvent } from './event/cloud-event.js'
export { createEvent } from './event/create-event.js'
export type { EventInit } from './event/create-event.js'
export { parseEvent, parseBatch } from './event/parse-event.js'
export { EventValidationError, UnsupportedMediaTypeError } from './event/event-errors.js'
export type { EventProblem } from './event/event-errors.js'
export { fromHttp } from './event/http-read.js'
export type { HttpMessage } from './event/http-read.js'
export { toHttp, toHttpBatch } from './event/http-write.js'
export type { HttpMode, HttpMessageOut } from './event/http-write.js'
export { eventWireSize } from './event/event-size.js'

// pattern
export {
  compilePattern,
  compileMatcher,
  referenceMatcher,
  explain,
  flattenEvent,
  parsePattern,
  patternView,
  PatternError,
  defaultPatternLimits,
} from './pattern/index.js'
export type {
  CompiledPattern,
  Matcher,
  PatternRules,
  PatternLimits,
  ParsedPattern,
  Explanation,
  PatternFailure,
  FlatEvent,
} from './pattern/index.js'

// engine
export { createEngine } from './engine/create-engine.js'
export { RuleDuplicateError } from './engine/rule-set.js'
export { createMetrics, renderPrometheus } from './engine/metrics.js'
export type { Metrics, MetricLabels, Counter, CounterSample } from './engine/metrics.js'
export { TargetTimeoutError, ShutdownAbortError } from './targets/await-target.js'
export { HandlerResultError } from './targets/handler-target.js'
export type {
  Engine,
  EngineOptions,
  EngineHooks,
  StopOptions,
  Rule,
  Target,
  HandlerTarget,
  PublishTarget,
  HttpTarget,
  Handler,
  HandlerContext,
  HandlerResult,
  Logger,
  EventPattern,
  DispatchReport,
  TargetReport,
  TargetOutcome,
  Settlement,
} from './engine/types.js'
export { attemptLimitPolicy, createAttemptLimitPolicy } from './engine/settle.js'
export type { SettlementPolicy, SyncSettlementPolicy, SettleDecision, RuleSettings } from './engine/settle.js'
export type { SkipTarget } from './engine/run-targets.js'

// delivery
export { defaultIdempotencyKey } from './delivery/idempotency.js'
export type { IdempotencyStore, ClaimResult } from './delivery/idempotency.js'
export { nextRetry, resolvePolicy, parseRetryAfter, defaultRetryPolicy } from './delivery/retry-policy.js'
export type { RetryPolicy, RetryPolicyOverride, RetryDecision, GiveUpReason } from './delivery/retry-policy.js'
export { toDeadLetter, fromDeadLetter, redriveCount, DeadLetterAttributes } from './delivery/dead-letter.js'
export type { DeadLetterCause } from './delivery/dead-letter.js'
export { createKeySequencer } from './delivery/key-sequencer.js'
export type { KeySequencer } from './delivery/key-sequencer.js'
export { createMemoryDeadLetterStore } from './delivery/dead-letter-store.js'
export type { DeadLetterStore, DeadLetterEntry, DeadLetterFilter, NewDeadLetter } from './delivery/dead-letter-store.js'
export { createSqliteDeadLetterStore } from './stores/sqlite-dead-letters.js'
export { createMemoryIdempotencyStore } from './stores/memory-idempotency.js'
export { createSqliteIdempotencyStore } from './stores/sqlite-idempotency.js'
export type { SqliteIdempotencyStoreOptions, SqliteIdempotencyStore } from './stores/sqlite-idempotency.js'

// transports
export type {
  Transport,
  TransportFeatures,
  Subscription,
  Delivery,
  PublishOptions,
  SubscribeOptions,
  NackOptions,
} from './transports/contract.js'
export { createMemoryTransport } from './transports/memory/memory-transport.js'
export type { MemoryTransportOptions } from './transports/memory/memory-transport.js'
export { createSqliteTransport } from './transports/sqlite/sqlite-transport.js'
export type { SqliteTransport, SqliteTransportOptions } from './transports/sqlite/sqlite-transport.js'
export type { SqliteSynchronous } from './transports/sqlite/sqlite-schema.js'

// http
export { createHttpApp } from './http/create-http-app.js'
export { startHttpServer } from './http/server.js'
export type { HttpApp } from './http/app.js'
export type { HttpIngressOptions, MetricsSource } from './http/options.js'
export type { HttpServer, HttpServerOptions } from './http/server.js'
export type { Problem, ProblemBody } from './http/problem.js'
export type { ApiKeyOptions, AuthOptions, AuthScope } from './http/auth/key-ring.js'
export type { LimitOptions } from './http/limits/limit-options.js'
export { createEventBridgeApi, eventBridgeStoreFile, EventBridgeApiError } from './http/eventbridge/index.js'
export type { EventBridgeApi, EventBridgeApiOptions, RuleHost } from './http/eventbridge/index.js'

// webhooks: verification (in), signing, and the HTTP target's errors (out)
export { verifyWebhook, createWebhookVerifier } from './http/webhooks/verify-webhook.js'
export type { WebhookVerifier } from './http/webhooks/verify-webhook.js'
export { signWebhook, createWebhookSigner } from './http/webhooks/sign-webhook.js'
export type { SignWebhookInput, StandardWebhooksHeaders } from './http/webhooks/sign-webhook.js'
export type { VerifyWebhookOptions, VerifyWebhookResult, WebhookRequest, WebhookScheme } from './http/webhooks/types.js'
export type { WebhookEndpointOptions, WebhookValueSource } from './http/webhooks/endpoint-options.js'
export { HttpTargetError, HttpTargetRejectedError, CircuitOpenError, TargetDisabledError } from './targets/http-target-errors.js'
export { TargetAddressRefusedError } from './targets/ssrf-guard.js'
export { refusedAddressClass } from './targets/ssrf-guard-addresses.js'
export type { RefusedAddressClass } from './targets/ssrf-guard-addresses.js'

// transform
export { compileInputTransformer, MAX_INPUT_PATHS, TransformError } from './transform/index.js'
export type { InputTransformer, InputTransformerTarget, TransformContext } from './transform/index.js'

// config
export { loadConfig, resolveConfig } from './config/load-config.js'
export type { LoadConfigOptions, LoadedConfig, ResolveConfigOptions } from './config/load-config.js'
export { createEngineFromConfig } from './config/create-engine-from-config.js'
export type { EngineFromConfig, EngineFromConfigOptions } from './config/create-engine-from-config.js'
export { ConfigError, HandlerNotFoundError } from './config/errors.js'
export type { ConfigProblem } from './config/errors.js'
export { configSchema } from './config/schema.js'
export type { SepalConfig, SepalConfigInput, RuleConfig, HttpConfig } from './config/schema.js'
export { configJsonSchema } from './config/json-schema.js'
export { registerTransportScheme, createTransportFromUrl, availableTransportSchemes } from './config/transport-registry.js'
export type { TransportFactory, TransportContext } from './config/transport-registry.js'
