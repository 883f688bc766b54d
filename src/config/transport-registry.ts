import { isAbsolute, resolve } from 'node:path'
import { ErrorCodes, SepalError } from '../errors.js'
import type { Transport } from '../transports/contract.js'

/** What a transport factory may need besides its URL. */
export interface TransportContext {
  /** Relative paths in the URL resolve against this (the config file's folder). */
  readonly baseDirectory: string
  /** Where sepal keeps local state; the embedded log lives here unless the URL names a folder. */
  readonly dataDirectory: string
}

export type TransportFactory = (url: URL, context: TransportContext) => Promise<Transport>

interface SchemeEntry {
  readonly description: string
  /** Absent for a scheme that is known but not available in this build. */
  readonly create?: TransportFactory
}

const schemes = new Map<string, SchemeEntry>()

/**
 * Makes `scheme:` usable in `transport:` of sepal.yaml and in `--transport`. Transport modules call
 * this when imported (e.g. `sepal/kafka` registers `kafka:`); registering again replaces the entry.
 */
export function registerTransportScheme(scheme: string, create: TransportFactory, description = `${scheme} transport`): void {
  schemes.set(normaliseScheme(scheme), { description, create })
}

/** Schemes that can be used now, sorted. */
export function availableTransportSchemes(): string[] {
  return [...schemes.entries()].filter(([, e]) => e.create !== undefined).map(([s]) => `${s}:`).sort()
}

/** Why `url` cannot be used, or undefined when it can; the message says what to do. */
export function checkTransportUrl(url: string): string | undefined {
  const parsed = parseTransportUrl(url)
  if (typeof parsed === 'string') return parsed
  const entry = schemes.get(parsed.protocol.slice(0, -1))
  const available = availableTransportSchemes().join(', ')
  if (entry === undefined) return `unknown transport scheme "${parsed.protocol}" in ${JSON.stringify(url)}; use one of ${available}`
  if (entry.create === undefined) {
    return `the ${entry.description} ("${parsed.protocol}") is not available in this version of sepal yet; use one of ${available}`
  }
  return undefined
}

/** The URL with any password replaced by `***`, for output and logs (secrets never appear there). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password === '') return url
    parsed.password = '***'
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
  }
}

/** Opens the transport a URL names. Throws SEPAL_ERR_TRANSPORT_URL_INVALID when the URL cannot be used. */
export async function createTransportFromUrl(url: string, context: TransportContext): Promise<Transport> {
  const problem = checkTransportUrl(url)
  if (problem !== undefined) throw new SepalError(ErrorCodes.TRANSPORT_URL_INVALID, problem)
  const parsed = parseTransportUrl(url) as URL
  const entry = schemes.get(parsed.protocol.slice(0, -1)) as Required<SchemeEntry>
  return entry.create(parsed, context)
}

/** The folder a `sqlite:` URL names: `sqlite:` alone is the data directory, `sqlite:./log` is relative to the config. */
export function sqliteDirectory(url: URL, context: TransportContext): string {
  const path = decodeURIComponent(url.pathname)
  if (path === '') return context.dataDirectory
  return isAbsolute(path) ? path : resolve(context.baseDirectory, path)
}

function parseTransportUrl(url: string): URL | string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    return `transport ${JSON.stringify(url)} is not a URL; write it as scheme:..., e.g. "sqlite:./.sepal" or "memory:"`
  }
  try {
    return new URL(url)
  } catch {
    return `transport ${JSON.stringify(url)} is not a valid URL; check its syntax (e.g. "nats://127.0.0.1:4222")`
  }
}

function normaliseScheme(scheme: string): string {
  return scheme.replace(/:$/, '').toLowerCase()
}

// Built in: the embedded durable log (the default) and the in-memory transport, each loaded on first use
// so that `memory:` users never open better-sqlite3's native module.
registerTransportScheme(
  'sqlite',
  async (url, context) => {
    const { createSqliteTransport } = await import('../transports/sqlite/sqlite-transport.js')
    return createSqliteTransport({ directory: sqliteDirectory(url, context) })
  },
  'embedded durable log (SQLite)',
)
registerTransportScheme(
  'memory',
  async () => {
    const { createMemoryTransport } = await import('../transports/memory/memory-transport.js')
    return createMemoryTransport()
  },
  'in-memory transport',
)
registerTransportScheme(
  'nats',
  async (url) => {
    const { createNatsTransport } = await import('../transports/nats/nats-transport.js')
    return createNatsTransport({ url: url.href })
  },
  'NATS JetStream transport',
)
for (const scheme of ['amqp', 'amqps']) {
  registerTransportScheme(
    scheme,
    async (url) => {
      const { createRabbitmqTransport } = await import('../transports/rabbitmq/rabbitmq-transport.js')
      return createRabbitmqTransport({ url: url.href })
    },
    'RabbitMQ (AMQP) transport',
  )
}
for (const scheme of ['redis', 'rediss']) {
  registerTransportScheme(
    scheme,
    async (url) => {
      const { createRedisTransport } = await import('../transports/redis/redis-transport.js')
      return createRedisTransport({ url: url.href })
    },
    'Redis Streams transport',
  )
}
registerTransportScheme(
  'kafka',
  async (url) => {
    const { createKafkaTransport } = await import('../transports/kafka/kafka-transport.js')
    return createKafkaTransport({ url: url.href })
  },
  'Kafka transport',
)
// Known, not yet shipped: named here so the error says "not available yet" rather than "unknown".
for (const [scheme, description] of [
  ['kafka', 'Kafka transport'],
  ['nats', 'NATS JetStream transport'],
  ['redis', 'Redis Streams transport'],
  ['amqp', 'RabbitMQ (AMQP) transport'],
] as const) {
  if (!schemes.has(scheme)) schemes.set(scheme, { description })
}
