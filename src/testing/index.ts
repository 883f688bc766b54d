// Shared conformance suites, exported as `sepal/testing`.
export { runIdempotencyStoreSuite } from './idempotency-suite.js'
export type { IdempotencyStoreSuiteOptions } from './idempotency-suite.js'
export { runTransportSuite } from './transport-suite.js'
export type { TransportSuiteOptions } from './transport-suite.js'
