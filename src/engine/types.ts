import type { CloudEvent } from '../event/cloud-event.js'
import type { Transport } from '../transports/contract.js'

/** A logger in pino's shape; the engine defaults to a no-op one. */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

/** An EventBridge event pattern: a JSON object (or its JSON text). */
export type EventPattern = Readonly<Record<string, unknown>> | string

export interface HandlerContext {
  readonly rule: string
  readonly target: string
  /** 1 on the first attempt. */
  readonly attempt: number
  /** Aborted when the engine stops past its drain budget or the target times out. */
  readonly signal: AbortSignal
  readonly logger: Logger
}

/** Handlers only return or throw; the engine owns ack and nack. Returned events are published. */
export type Handler<T = unknown> = (
  event: CloudEvent<T>,
  ctx: HandlerContext,
) => void | readonly CloudEvent[] | Promise<void | readonly CloudEvent[]>

export type Target =
  | { readonly kind: 'handler'; readonly name?: string; readonly handler: Handler }
  | { readonly kind: 'publish'; readonly name?: string; readonly topic: string }

export interface Rule {
  readonly name: string
  readonly pattern: EventPattern
  readonly targets: readonly Target[]
  /** Attempts per target before the event is given up on (the delivery policy refines this). */
  readonly maxAttempts?: number
}

export type TargetOutcome = 'ok' | 'failed' | 'dead-lettered' | 'duplicate'

export interface TargetReport {
  readonly rule: string
  readonly target: string
  readonly outcome: TargetOutcome
  readonly error?: unknown
  readonly published?: readonly CloudEvent[]
}

export interface DispatchReport {
  readonly event: CloudEvent
  /** Names of the matched rules, in the order they were added. */
  readonly matched: readonly string[]
  readonly targets: readonly TargetReport[]
}

export interface EngineHooks {
  onReceived?(event: CloudEvent): void
  onMatched?(event: CloudEvent, rules: readonly string[]): void
  onSettled?(report: DispatchReport, settlement: 'ack' | 'nack'): void
  onFailed?(event: CloudEvent, rule: string, target: string, error: unknown): void
}

export interface EngineOptions {
  readonly transport: Transport
  /** Topic the engine consumes and `publish()` writes to. Default `events`. */
  readonly topic?: string
  /** Consumer group. Default `sepal`. */
  readonly group?: string
  readonly rules?: readonly Rule[]
  readonly maxInFlight?: number
  readonly logger?: Logger
  readonly hooks?: EngineHooks
}

export interface Engine {
  addRule(rule: Rule): void
  removeRule(name: string): boolean
  readonly rules: readonly Rule[]
  publish(events: CloudEvent | readonly CloudEvent[]): Promise<void>
  /** Runs one event through matching and targets in process, without the transport: the test entry point. */
  dispatch(event: CloudEvent): Promise<DispatchReport>
  start(): Promise<void>
  stop(options?: { drainTimeoutMs?: number }): Promise<void>
}
