// The public API of sepal: an explicit list, no `export *`.

// errors
export { SepalError, PermanentError, OptionsError, ErrorCodes } from './errors.js'
export type { ErrorCode, SepalErrorOptions } from './errors.js'

// event
export type { CloudEvent } from './event/cloud-event.js'

// pattern

// engine

// delivery

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

// http

// config
