import { Redis } from 'ioredis'
import { ErrorCodes, SepalError } from '../../errors.js'

/** A server address read from a `redis://` URL; `shown` is the URL without its password, for messages. */
export interface RedisAddress {
  readonly host: string
  readonly port: number
  readonly db: number
  readonly username: string | undefined
  readonly password: string | undefined
  readonly tls: boolean
  readonly shown: string
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

/**
 * Reads `redis[s]://[[user]:pass@]host[:port][/db]`. Anything else throws
 * SEPAL_ERR_TRANSPORT_URL_INVALID naming the URL (its password hidden).
 */
export function parseRedisUrl(url: string): RedisAddress {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalidUrl(url, 'it is not a valid URL')
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw invalidUrl(url, `its scheme is "${parsed.protocol}"`)
  if (parsed.hostname === '') throw invalidUrl(url, 'it names no host')
  const path = parsed.pathname.replace(/^\//, '')
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw invalidUrl(url, `the path ${JSON.stringify(parsed.pathname)} is not a database number`)
  if (parsed.search !== '' || parsed.hash !== '') throw invalidUrl(url, 'sepal reads no query or fragment in a redis URL')
  const port = parsed.port === '' ? 6379 : Number(parsed.port)
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  const user = decodeURIComponent(parsed.username)
  const password = decodeURIComponent(parsed.password)
  const credentials = user === '' && password === '' ? '' : `${user}${password === '' ? '' : ':***'}@`
  return {
    host,
    port,
    db: path === '' ? 0 : Number(path),
    username: user === '' ? undefined : user,
    password: password === '' ? undefined : password,
    tls: parsed.protocol === 'rediss:',
    shown: `${parsed.protocol}//${credentials}${parsed.host}${path === '' ? '' : `/${path}`}`,
  }
}

function invalidUrl(url: string, why: string): SepalError {
  const safe = url.replace(/\/\/[^@/]*@/, '//***@')
  return new SepalError(
    ErrorCodes.TRANSPORT_URL_INVALID,
    `redis transport URL ${JSON.stringify(safe)} cannot be used: ${why}; write it as redis://host:port[/db], e.g. "${DEFAULT_REDIS_URL}"`,
  )
}

export interface ConnectOptions {
  readonly connectTimeoutMs: number
  /** Shown by CLIENT LIST, to tell sepal's connections apart. */
  readonly name: string
  /** Lets ioredis batch the commands of one event-loop turn into one write (the command connection). */
  readonly autoPipelining: boolean
}

/**
 * Opens a connection and checks that the server answers. A connection that was up once reconnects
 * for ever (commands wait in ioredis's offline queue meanwhile); one that cannot connect at first
 * fails at once with SEPAL_ERR_TRANSPORT_UNAVAILABLE naming the server.
 */
export async function connectToRedis(address: RedisAddress, options: ConnectOptions): Promise<Redis> {
  const client = new Redis({
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username === undefined ? {} : { username: address.username }),
    ...(address.password === undefined ? {} : { password: address.password }),
    ...(address.tls ? { tls: {} } : {}),
    lazyConnect: true,
    connectionName: options.name,
    connectTimeout: options.connectTimeoutMs,
    enableAutoPipelining: options.autoPipelining,
    // Commands sent while the server is away wait for the reconnect instead of failing after 20 tries;
    // publish bounds the wait itself (publishTimeoutMs).
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(50 * times, 1000),
  })
  // Without a listener ioredis prints every reconnect error; the callers see failures through their commands.
  let lastError: unknown
  client.on('error', (error: unknown) => {
    lastError = error
  })
  try {
    await client.connect()
    await client.ping()
  } catch (error) {
    client.disconnect()
    const reason = describe(lastError ?? error)
    throw unavailable(address, `cannot be reached (${reason}); start it (scripts/services.sh up redis) or check the URL`, lastError ?? error)
  }
  return client
}

export function unavailable(address: RedisAddress, why: string, cause?: unknown): SepalError {
  return new SepalError(ErrorCodes.TRANSPORT_UNAVAILABLE, `redis server at ${address.shown} ${why}`, { cause })
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Waits for `work` at most `ms`, then goes on: for the clean-ups of close, which must not hang while
 * the server is away (its commands would wait in ioredis's offline queue for ever).
 */
export async function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}
