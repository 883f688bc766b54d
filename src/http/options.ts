import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Metrics } from '../engine/metrics.js'
import type { Logger } from '../engine/types.js'
import { OptionsError } from '../errors.js'
import type { Transport } from '../transports/contract.js'
import type { WebhookEndpointOptions } from './webhooks/endpoint-options.js'

/** Where `GET /metrics` gets its text: a function returning the Prometheus exposition format. */
export type MetricsSource = () => string | Promise<string>

export interface HttpIngressOptions {
  /** Accepted events are appended here; `202` is sent only after `publish` resolved. */
  readonly transport: Transport
  /** Topic the events go to. Default `events`. */
  readonly topic?: string
  /** Largest single event, in bytes (its JSON structured form). Default 256 KiB, as EventBridge. */
  readonly maxEventBytes?: number
  /** Most events in one batch request. Default 100. */
  readonly maxBatchEvents?: number
  /**
   * Largest batch request body, in bytes. Default: `maxEventBytes × maxBatchEvents`, capped at 4 MiB so a
   * default server never buffers more than a few MiB per request.
   */
  readonly maxBatchBytes?: number
  readonly logger?: Logger
  /** Answers `GET /readyz`: true when the transport can take appends. Default: always ready. */
  readonly ready?: () => boolean | Promise<boolean>
  /** Serves `GET /metrics` when given: the engine's `metrics`, or a function returning Prometheus text. */
  readonly metrics?: Metrics | MetricsSource
  /** Signed webhook endpoints, each served at `POST /webhooks/<name>` (see docs/webhooks.md). */
  readonly webhooks?: readonly WebhookEndpointOptions[]
  /** Serves the EventBridge-compatible API on `POST /` (see docs/eventbridge.md). */
  readonly eventBridge?: {
    handle(request: Request, incoming?: IncomingMessage): Promise<Response>
    serveNode?(req: IncomingMessage, res: ServerResponse): void
    /** Lets the server's credential checks see each call once its body is read (SigV4 signs the body). */
    setGuard?(guard: { checkApi(req: IncomingMessage, body: Uint8Array): unknown }): void
  }
}

export interface ResolvedIngressOptions {
  readonly transport: Transport
  readonly topic: string
  readonly maxEventBytes: number
  readonly maxBatchEvents: number
  readonly maxBatchBytes: number
  readonly logger: Logger
  readonly ready: () => boolean | Promise<boolean>
  readonly metrics: Metrics | MetricsSource | undefined
}

export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024
export const DEFAULT_MAX_BATCH_EVENTS = 100
const BATCH_BYTES_CAP = 4 * 1024 * 1024

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new OptionsError(`http option "${name}" must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

/** Fills the defaults and rejects nonsense at start-up rather than on the first request. */
export function resolveIngressOptions(options: HttpIngressOptions): ResolvedIngressOptions {
  if (typeof options?.transport?.publish !== 'function') {
    throw new OptionsError('http option "transport" must be a Transport (an object with publish()); pass one')
  }
  const topic = options.topic ?? 'events'
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new OptionsError(`http option "topic" must be a non-empty string, got ${JSON.stringify(topic)}`)
  }
  const maxEventBytes = positiveInteger('maxEventBytes', options.maxEventBytes, DEFAULT_MAX_EVENT_BYTES)
  const maxBatchEvents = positiveInteger('maxBatchEvents', options.maxBatchEvents, DEFAULT_MAX_BATCH_EVENTS)
  const maxBatchBytes = positiveInteger(
    'maxBatchBytes',
    options.maxBatchBytes,
    Math.min(maxEventBytes * maxBatchEvents, Math.max(BATCH_BYTES_CAP, maxEventBytes)),
  )
  return {
    transport: options.transport,
    topic,
    maxEventBytes,
    maxBatchEvents,
    maxBatchBytes,
    logger: options.logger ?? silentLogger,
    ready: options.ready ?? (() => true),
    metrics: options.metrics,
  }
}
