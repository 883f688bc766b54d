// `sepal/redis`: everything that needs the optional `ioredis` peer dependency.
export { createRedisIdempotencyStore } from './stores/redis-idempotency.js'
export type { RedisIdempotencyStoreOptions } from './stores/redis-idempotency.js'
