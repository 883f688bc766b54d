// `sepal/postgres`: everything that needs the optional `postgres` peer dependency.
export { createPostgresIdempotencyStore } from './stores/postgres-idempotency.js'
export type { PostgresIdempotencyStoreOptions } from './stores/postgres-idempotency.js'
