// `sepal/redis`: everything that needs the optional `ioredis` peer dependency.
export { createRedisIdempotencyStore } from './stores/redis-idempotency.js'
export type { RedisIdempotencyStoreOptions } from './stores/redis-idempotency.js'
export { createRedisTransport, REDIS_FEATURES } from './transports/redis/redis-transport.js'
export type { RedisTransportOptions } from './transports/redis/redis-transport.js'
export type { TrimWarning } from './transports/redis/redis-trim.js'
export { fromStreamFields, toStreamFields } from './transports/redis/redis-binding.js'
export type { DecodedEntry, RedisMode } from './transports/redis/redis-binding.js'
