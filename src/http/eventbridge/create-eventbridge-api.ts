import { join } from 'node:path'
import type { Logger } from '../../engine/types.js'
import { ErrorCodes, SepalError } from '../../errors.js'
import type { Transport } from '../../transports/contract.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readNodeBody, readWebBody, type BodyReadResult } from '../read-body.js'
import { EventBridgeApiError } from './api-error.js'
import type { ApiInput } from './api-input.js'
import { ApiRegistry, type RuleHost } from './api-registry.js'
import { openApiStore } from './api-store.js'
import { createEventBus, deleteEventBus, describeEventBus, listEventBuses } from './bus-operations.js'
import { putEvents } from './put-events.js'
import { deleteRule, describeRule, listRules, putRule, setRuleState, testEventPattern } from './rule-operations.js'
import { listTargetsByRule, putTargets, removeTargets } from './target-operations.js'

export interface EventBridgeApiOptions {
  /** Where API rules go while they are enabled and have targets. */
  readonly engine: RuleHost
  /** PutEvents appends here, to `topic`. */
  readonly transport: Transport
  /** The topic the engine consumes. Default `events`. */
  readonly topic?: string
  /** SQLite file that keeps buses and rules between runs; `:memory:` keeps nothing. */
  readonly storeFile: string
  /** Region and account in the ARNs sepal hands out. Default `us-east-1`, `000000000000`. */
  readonly region?: string
  readonly account?: string
  readonly logger?: Logger
  /** Largest request body. Default 2 MiB (a full PutEvents batch, JSON-escaped twice over, fits). */
  readonly maxRequestBytes?: number
}

/** The EventBridge-compatible API: `POST /` with `X-Amz-Target: AWSEvents.<Operation>`, AWS JSON 1.1. */
/** Credentials checked once the body is read: the server's request gate (SigV4 needs the body). */
export interface ApiGuard {
  checkApi(req: IncomingMessage, body: Uint8Array):
    | { readonly sources: readonly string[] | undefined }
    | { readonly refusal: { readonly status: number; readonly type: string; readonly message: string } }
}

export interface EventBridgeApi {
  /** `incoming`: the node:http request behind `request`, which the guard (when one is set) needs. */
  handle(request: Request, incoming?: IncomingMessage): Promise<Response>
  /** Called by the HTTP server that carries the API, so every call passes its credential checks. */
  setGuard(guard: ApiGuard): void
  /** The same, straight on node:http (the server's direct path, skipping the fetch-API adaptor). */
  serveNode(req: IncomingMessage, res: ServerResponse): void
  readonly registry: ApiRegistry
  close(): void
}

/** Event source prefixes the caller may publish; undefined: any. */
interface Caller {
  readonly sources: readonly string[] | undefined
}

type Operation = (registry: ApiRegistry, input: ApiInput, caller: Caller) => unknown

const CONTENT_TYPE = 'application/x-amz-json-1.1'
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** The file the API keeps its rules in, inside sepal's data directory. */
export function eventBridgeStoreFile(dataDirectory: string): string {
  return join(dataDirectory, 'eventbridge.sqlite')
}

export function createEventBridgeApi(options: EventBridgeApiOptions): EventBridgeApi {
  const topic = options.topic ?? 'events'
  const logger = options.logger ?? silent
  const store = openApiStore(options.storeFile)
  const registry = new ApiRegistry({
    store,
    engine: options.engine,
    engineTopic: topic,
    identity: { region: options.region ?? 'us-east-1', account: options.account ?? '000000000000' },
    logger,
  })
  const maxRequestBytes = options.maxRequestBytes ?? 2 * 1024 * 1024
  const operations: Record<string, Operation> = {
    PutEvents: (_registry, input, caller) => putEvents(input, { registry, transport: options.transport, topic, allowedSources: caller.sources }),
    PutRule: putRule,
    DescribeRule: describeRule,
    ListRules: listRules,
    DeleteRule: deleteRule,
    EnableRule: setRuleState('ENABLED'),
    DisableRule: setRuleState('DISABLED'),
    PutTargets: putTargets,
    ListTargetsByRule: listTargetsByRule,
    RemoveTargets: removeTargets,
    TestEventPattern: testEventPattern,
    CreateEventBus: createEventBus,
    DescribeEventBus: describeEventBus,
    ListEventBuses: listEventBuses,
    DeleteEventBus: deleteEventBus,
  }

  /** One call: the operation named by X-Amz-Target, its JSON body read under the limit by `readBody`. */
  let guard: ApiGuard | undefined
  async function call(target: string, readBody: (limit: number) => Promise<BodyReadResult>, incoming: IncomingMessage | undefined): Promise<ApiAnswer> {
    const name = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : undefined
    const operation = name === undefined || !Object.hasOwn(operations, name) ? undefined : operations[name]
    if (operation === undefined) {
      return awsError(new EventBridgeApiError('UnknownOperationException', `unknown operation ${JSON.stringify(target)}; send X-Amz-Target: AWSEvents.<Operation>`))
    }
    const body = await readBody(maxRequestBytes)
    if (body.kind !== 'ok') {
      return awsError(new EventBridgeApiError('ValidationException', body.kind === 'too-large' ? `the request is over ${maxRequestBytes} bytes` : 'the request body was cut off', body.kind === 'too-large' ? 413 : 400))
    }
    let caller: Caller = { sources: undefined }
    if (guard !== undefined) {
      // Without the node:http request the gate admitted, there is nothing to check the body against: refuse.
      const verdict = incoming === undefined ? { refusal: { status: 401, type: 'UnrecognizedClientException', message: 'the security token included in the request is invalid' } } : guard.checkApi(incoming, body.body)
      if ('refusal' in verdict) return awsError(new EventBridgeApiError(verdict.refusal.type, verdict.refusal.message, verdict.refusal.status))
      caller = verdict
    }
    let input: unknown
    try {
      input = body.body.length === 0 ? {} : JSON.parse(Buffer.from(body.body.buffer, body.body.byteOffset, body.body.byteLength).toString('utf8'))
    } catch {
      return awsError(new EventBridgeApiError('SerializationException', 'the request body is not valid JSON'))
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return awsError(new EventBridgeApiError('SerializationException', 'the request body must be a JSON object'))
    }
    try {
      const output = await operation(registry, input as ApiInput, caller)
      return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body: JSON.stringify(output) }
    } catch (error) {
      if (error instanceof EventBridgeApiError) return awsError(error)
      // The engine refused what the API accepted (e.g. a target it cannot build): the caller's to fix.
      if (error instanceof SepalError && error.code !== ErrorCodes.INTERNAL) return awsError(new EventBridgeApiError('ValidationException', error.message))
      logger.error({ operation: name, err: { message: (error as Error).message } }, 'an EventBridge API call failed unexpectedly')
      return awsError(new EventBridgeApiError('InternalException', 'the operation failed because of an internal error; retry later', 500))
    }
  }

  async function handle(request: Request, incoming?: IncomingMessage): Promise<Response> {
    const answer = await call(request.headers.get('x-amz-target') ?? '', (limit) => readWebBody(request.body, request.headers.get('content-length'), limit), incoming)
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  }

  return {
    handle,
    serveNode: (req, res) => {
      void call(headerText(req.headers['x-amz-target']), (limit) => readNodeBody(req, req.headers['content-length'], limit), req).then(
        (answer) => {
          res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) })
          res.end(answer.body)
        },
        () => res.destroy(),
      )
    },
    registry,
    setGuard: (next) => {
      guard = next
    },
    close: () => store.close(),
  }
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '')
}

interface ApiAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

function awsError(error: EventBridgeApiError): ApiAnswer {
  return { status: error.status, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-errortype': error.type }, body: JSON.stringify({ __type: error.type, message: error.message }) }
}
