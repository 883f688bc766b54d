// The EventBridge-compatible API (AWS JSON 1.1 on POST /) and its persistent rules.
export { createEventBridgeApi, eventBridgeStoreFile } from './create-eventbridge-api.js'
export type { EventBridgeApi, EventBridgeApiOptions } from './create-eventbridge-api.js'
export { EventBridgeApiError } from './api-error.js'
export type { RuleHost } from './api-registry.js'
