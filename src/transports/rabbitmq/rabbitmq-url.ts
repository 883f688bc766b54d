import { ErrorCodes, SepalError } from '../../errors.js'

export const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672'

/** What amqplib needs to connect, read from an `amqp://` or `amqps://` URL. */
export interface RabbitmqAddress {
  readonly protocol: 'amqp' | 'amqps'
  readonly hostname: string
  readonly port: number
  readonly username: string
  readonly password: string
  readonly vhost: string
  readonly heartbeat: number
  readonly frameMax: number
  /** The URL without its password, for messages and logs. */
  readonly shown: string
}

// A header frame (the CloudEvents attributes) must fit one frame; amqplib's default of 4 KiB is too small
// for long extension values, so sepal asks for RabbitMQ's default maximum unless the URL says otherwise.
const DEFAULT_FRAME_MAX = 131_072
const DEFAULT_HEARTBEAT_S = 10

/**
 * Reads `amqp[s]://[user:pass@]host[:port][/vhost][?heartbeat=s&frame_max=bytes]` (the RabbitMQ URI
 * spec; an empty path is the vhost `/`, `%2f` encodes it explicitly). Anything else throws
 * SEPAL_ERR_TRANSPORT_URL_INVALID naming the URL without its password.
 */
export function parseRabbitmqUrl(url: string): RabbitmqAddress {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalidUrl(url, 'it is not a valid URL')
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') throw invalidUrl(url, `its scheme is "${parsed.protocol}"`)
  if (parsed.hostname === '') throw invalidUrl(url, 'it names no host')
  if (parsed.hash !== '') throw invalidUrl(url, 'an amqp URL has no fragment')
  const protocol = parsed.protocol === 'amqps:' ? 'amqps' : 'amqp'
  const port = parsed.port === '' ? (protocol === 'amqps' ? 5671 : 5672) : Number(parsed.port)
  const path = parsed.pathname.replace(/^\//, '')
  if (path.includes('/')) throw invalidUrl(url, 'the path is the vhost and must be one segment (encode "/" as %2f)')
  let vhost: string
  try {
    vhost = path === '' ? '/' : decodeURIComponent(path)
  } catch {
    throw invalidUrl(url, 'its vhost has broken percent-encoding')
  }
  const heartbeat = numberParam(url, parsed, 'heartbeat', DEFAULT_HEARTBEAT_S)
  const frameMax = numberParam(url, parsed, 'frame_max', DEFAULT_FRAME_MAX)
  for (const name of parsed.searchParams.keys()) {
    if (name !== 'heartbeat' && name !== 'frame_max') throw invalidUrl(url, `sepal does not know the query parameter "${name}"`)
  }
  const username = decodeURIComponent(parsed.username)
  const password = decodeURIComponent(parsed.password)
  const user = username === '' ? '' : `${username}${password === '' ? '' : ':***'}@`
  const shown = `${protocol}://${user}${parsed.hostname}:${port}${vhost === '/' ? '' : `/${encodeURIComponent(vhost)}`}`
  return {
    protocol,
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username: username === '' ? 'guest' : username,
    password: password === '' && username === '' ? 'guest' : password,
    vhost,
    heartbeat,
    frameMax,
    shown,
  }
}

function numberParam(url: string, parsed: URL, name: string, fallback: number): number {
  const raw = parsed.searchParams.get(name)
  if (raw === null) return fallback
  const value = Number(raw)
  if (raw === '' || !Number.isInteger(value) || value < 0) {
    throw invalidUrl(url, `its ${name} must be a whole number, got "${raw}"`)
  }
  return value
}

function invalidUrl(url: string, why: string): SepalError {
  const safe = url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
  return new SepalError(
    ErrorCodes.TRANSPORT_URL_INVALID,
    `rabbitmq transport URL ${JSON.stringify(safe)} cannot be used: ${why}; write it as amqp://user:pass@host:port[/vhost], e.g. "${DEFAULT_RABBITMQ_URL}"`,
  )
}

/** The error for a broker that cannot be reached or refuses to work. */
export function unavailable(address: RabbitmqAddress, why: string, cause?: unknown): SepalError {
  return new SepalError(ErrorCodes.TRANSPORT_UNAVAILABLE, `rabbitmq broker at ${address.shown} ${why}`, { cause })
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
