import { OptionsError } from '../errors.js'
import type { Transport } from '../transports/contract.js'
import type { EngineOptions } from './types.js'

export const DEFAULT_TOPIC = 'events'
export const DEFAULT_GROUP = 'sepal'
export const DEFAULT_MAX_IN_FLIGHT = 64

export interface CheckedEngineOptions {
  readonly transport: Transport
  readonly topic: string
  readonly group: string
  readonly maxInFlight: number
}

/** Wrong options are programmer errors: they throw at `createEngine`, naming the option. */
export function checkEngineOptions(options: EngineOptions): CheckedEngineOptions {
  if (typeof options !== 'object' || options === null) throw new OptionsError('createEngine needs an options object with a "transport"')
  const { transport } = options
  if (
    typeof transport !== 'object' ||
    transport === null ||
    typeof transport.publish !== 'function' ||
    typeof transport.subscribe !== 'function'
  ) {
    throw new OptionsError('createEngine: "transport" must be a Transport (e.g. createMemoryTransport())')
  }
  const topic = options.topic ?? DEFAULT_TOPIC
  if (typeof topic !== 'string' || topic === '') throw new OptionsError(`createEngine: "topic" must be a non-empty string, got ${JSON.stringify(topic)}`)
  const group = options.group ?? DEFAULT_GROUP
  if (typeof group !== 'string' || group === '') throw new OptionsError(`createEngine: "group" must be a non-empty string, got ${JSON.stringify(group)}`)
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new OptionsError(`createEngine: "maxInFlight" must be an integer >= 1, got ${String(options.maxInFlight)}`)
  }
  if (options.from !== undefined && options.from !== 'latest' && options.from !== 'earliest') {
    throw new OptionsError(`createEngine: "from" must be "latest" or "earliest", got ${JSON.stringify(options.from)}`)
  }
  return { transport, topic, group, maxInFlight }
}
