import { createEngine } from '../engine/create-engine.js'
import type { Engine, EngineHooks, Logger } from '../engine/types.js'
import type { Transport } from '../transports/contract.js'
import { openDeliveryStores } from './delivery-stores.js'
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load-config.js'

export interface EngineFromConfigOptions extends Omit<LoadConfigOptions, 'transport'> {
  /** Use this transport instead of opening the one the configuration names (tests, shared connections). */
  readonly transport?: Transport
  readonly logger?: Logger
  readonly hooks?: EngineHooks
}

export interface EngineFromConfig {
  readonly engine: Engine
  /** The transport the engine uses; close it after `engine.stop()` unless you passed it in. */
  readonly transport: Transport
  readonly config: LoadedConfig
  /** Closes the idempotency and dead-letter stores the configuration opened; call after `engine.stop()`. */
  closeStores(): Promise<void>
}

/** sepal.yaml (a path or an already loaded config) → an engine, not yet started. */
export async function createEngineFromConfig(source: string | LoadedConfig, options: EngineFromConfigOptions = {}): Promise<EngineFromConfig> {
  const { transport: given, logger, hooks, ...loadOptions } = options
  const config = typeof source === 'string' ? await loadConfig(source, loadOptions) : source
  const transport = given ?? (await config.transport.create())
  const stores = await openDeliveryStores(config.config, config.dataDirectory)
  const engine = createEngine({
    transport,
    ...config.engineOptions,
    ...(config.config.retry === undefined ? {} : { retry: config.config.retry }),
    ...(config.config.limits.maxRules === undefined ? {} : { maxRules: config.config.limits.maxRules }),
    ...(stores.idempotency === undefined ? {} : { idempotency: stores.idempotency }),
    ...(stores.deadLetters === undefined ? {} : { deadLetters: stores.deadLetters }),
    ...(logger === undefined ? {} : { logger }),
    ...(hooks === undefined ? {} : { hooks }),
  })
  return { engine, transport, config, closeStores: () => stores.close() }
}
