import { createEngine } from '../engine/create-engine.js'
import type { Engine, EngineHooks, Logger } from '../engine/types.js'
import type { Transport } from '../transports/contract.js'
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
}

/** sepal.yaml (a path or an already loaded config) → an engine, not yet started. */
export async function createEngineFromConfig(source: string | LoadedConfig, options: EngineFromConfigOptions = {}): Promise<EngineFromConfig> {
  const { transport: given, logger, hooks, ...loadOptions } = options
  const config = typeof source === 'string' ? await loadConfig(source, loadOptions) : source
  const transport = given ?? (await config.transport.create())
  const engine = createEngine({
    transport,
    ...config.engineOptions,
    ...(logger === undefined ? {} : { logger }),
    ...(hooks === undefined ? {} : { hooks }),
  })
  return { engine, transport, config }
}
