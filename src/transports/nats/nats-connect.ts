import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { ErrorCodes, SepalError } from '../../errors.js'

/** A broker address read from a `nats://` URL; `shown` is the URL without its password, for messages. */
export interface NatsAddress {
  readonly server: string
  readonly shown: string
  readonly user?: string
  readonly pass?: string
  readonly token?: string
}

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222'

/**
 * Reads `nats://[user:pass@ | token@]host[:port]`. Anything else (another scheme, a path, no host)
 * throws SEPAL_ERR_TRANSPORT_URL_INVALID naming the URL.
 */
export function parseNatsUrl(url: string): NatsAddress {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalidUrl(url, 'it is not a valid URL')
  }
  if (parsed.protocol !== 'nats:') throw invalidUrl(url, `its scheme is "${parsed.protocol}"`)
  if (parsed.hostname === '') throw invalidUrl(url, 'it names no host')
  if (parsed.pathname !== '' && parsed.pathname !== '/') throw invalidUrl(url, 'a nats URL has no path')
  if (parsed.search !== '' || parsed.hash !== '') throw invalidUrl(url, 'a nats URL has no query or fragment')
  const server = `${parsed.hostname}:${parsed.port === '' ? '4222' : parsed.port}`
  const user = decodeURIComponent(parsed.username)
  const pass = decodeURIComponent(parsed.password)
  const shown = `nats://${user === '' ? '' : pass === '' ? '***@' : `${user}:***@`}${server}`
  if (user === '') return { server, shown }
  if (pass === '') return { server, shown, token: user }
  return { server, shown, user, pass }
}

function invalidUrl(url: string, why: string): SepalError {
  const safe = url.replace(/\/\/[^@/]*@/, '//***@')
  return new SepalError(
    ErrorCodes.TRANSPORT_URL_INVALID,
    `nats transport URL ${JSON.stringify(safe)} cannot be used: ${why}; write it as nats://host:port, e.g. "${DEFAULT_NATS_URL}"`,
  )
}

export interface ConnectOptions {
  readonly connectTimeoutMs: number
  readonly name: string
}

/**
 * Connects and checks that JetStream answers. A client that is connected once reconnects for ever
 * (the subscriptions resume); one that cannot connect at first fails at once with
 * SEPAL_ERR_TRANSPORT_UNAVAILABLE naming the broker.
 */
export async function connectToNats(address: NatsAddress, options: ConnectOptions): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  let nc: NatsConnection
  try {
    nc = await connect({
      servers: [address.server],
      name: options.name,
      timeout: options.connectTimeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      ...(address.user === undefined ? {} : { user: address.user }),
      ...(address.pass === undefined ? {} : { pass: address.pass }),
      ...(address.token === undefined ? {} : { token: address.token }),
    })
  } catch (error) {
    throw unavailable(address, `cannot connect (${describe(error)}); start it (scripts/services.sh up nats) or check the URL`, error)
  }
  try {
    return { nc, jsm: await jetstreamManager(nc, { timeout: options.connectTimeoutMs }) }
  } catch (error) {
    await nc.close().catch(() => undefined)
    throw unavailable(address, `answers but JetStream does not (${describe(error)}); run nats-server with JetStream on (-js)`, error)
  }
}

export function unavailable(address: NatsAddress, why: string, cause?: unknown): SepalError {
  return new SepalError(ErrorCodes.TRANSPORT_UNAVAILABLE, `nats broker at ${address.shown} ${why}`, { cause })
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
