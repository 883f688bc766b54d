import { ErrorCodes, OptionsError, SepalError } from '../../errors.js'

export const DEFAULT_KAFKA_URL = 'kafka://127.0.0.1:9092'

/** Bootstrap brokers read from a URL, and the URL as shown in messages. */
export interface KafkaAddress {
  readonly brokers: readonly string[]
  readonly shown: string
}

/**
 * Reads `kafka://host[:port][,host[:port]...]` (port 9092 when absent). Anything else — another
 * scheme, credentials, a path, a query — throws SEPAL_ERR_TRANSPORT_URL_INVALID naming the URL.
 */
export function parseKafkaUrl(url: string): KafkaAddress {
  const match = /^kafka:\/\/([^/?#]*)\/?$/i.exec(url)
  if (match === null) {
    const why = /^kafka:\/\//i.test(url) ? 'a kafka URL has no path, query or fragment' : 'it does not start with kafka://'
    throw invalidUrl(url, why)
  }
  const hosts = match[1]!
  if (hosts.includes('@')) throw invalidUrl(url, 'credentials in the URL are not supported')
  const brokers = hosts.split(',').map((host) => parseHost(url, host.trim()))
  return { brokers, shown: `kafka://${brokers.join(',')}` }
}

function parseHost(url: string, host: string): string {
  if (host === '') throw invalidUrl(url, 'it names no host')
  let parsed: URL
  try {
    parsed = new URL(`kafka://${host}`)
  } catch {
    throw invalidUrl(url, `${JSON.stringify(host)} is not a host[:port]`)
  }
  if (parsed.hostname === '' || parsed.pathname !== '') throw invalidUrl(url, `${JSON.stringify(host)} is not a host[:port]`)
  return `${parsed.hostname}:${parsed.port === '' ? '9092' : parsed.port}`
}

function invalidUrl(url: string, why: string): SepalError {
  return new SepalError(
    ErrorCodes.TRANSPORT_URL_INVALID,
    `kafka transport URL ${JSON.stringify(url)} cannot be used: ${why}; write it as kafka://host:port, e.g. "${DEFAULT_KAFKA_URL}"`,
  )
}

export function unavailable(address: KafkaAddress, why: string, cause?: unknown): SepalError {
  return new SepalError(ErrorCodes.TRANSPORT_UNAVAILABLE, `kafka broker at ${address.shown} ${why}`, { cause })
}

/** Kafka's legal topic names; sepal adds suffixes for retry topics, so names stay well under the limit. */
const LEGAL_NAME = /^[a-zA-Z0-9._-]{1,200}$/

export function checkKafkaName(what: 'topic' | 'group', name: string): void {
  if (!LEGAL_NAME.test(name)) {
    throw new OptionsError(
      `kafka ${what} ${JSON.stringify(name)} cannot be used: use 1 to 200 of the characters a-z A-Z 0-9 . _ -`,
    )
  }
}

/** What went wrong, in one line, from the client's errors (which nest their causes). */
export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return `${error.message}: ${describe(error.errors[0])}`
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause
    return cause instanceof Error ? `${error.message}: ${describe(cause)}` : error.message
  }
  return String(error)
}
