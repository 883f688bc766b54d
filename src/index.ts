// The public API of sepal: an explicit list, no `export *`.

// errors
export { SepalError, PermanentError, OptionsError, ErrorCodes } from './errors.js'
export type { ErrorCode, SepalErrorOptions } from './errors.js'

// event
export type { CloudEvent } from './event/cloud-event.js'

// pattern

// engine

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
export type { SqliteIdempotencyStoreOptions } from './stores/sqlite-idempotency.js'

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

// http

// config
