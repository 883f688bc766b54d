import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Redis } from 'ioredis'
import { OptionsError, SepalError } from '../../errors.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { PublishOptions, SubscribeOptions, Subscription, Transport, TransportFeatures } from '../contract.js'
import { PullSubscription } from '../memory/pull-subscription.js'
import { checkGroup, checkTopic, checkVisibility, closedError, resolveMaxInFlight } from '../memory/transport-options.js'
import { toStreamFields, type RedisMode } from './redis-binding.js'
import { DEFAULT_REDIS_URL, atMost, connectToRedis, describe, parseRedisUrl, unavailable, type RedisAddress } from './redis-connect.js'
import { RedisGroupSource } from './redis-group-source.js'
import { checkKeyPrefix, checkTopicName, topicKeys } from './redis-keys.js'
import { TrimGuard, type TrimWarning } from './redis-trim.js'

export interface RedisTransportOptions {
  /** `redis[s]://[[user]:pass@]host:port[/db]`. Default `redis://127.0.0.1:6379`. */
  readonly url?: string
  /** How events are written: `binary` (`ce_` fields, the default) or `structured` (JSON). Both are read. */
  readonly mode?: RedisMode
  /** Prepended to every key sepal writes. Default `sepal:`. */
  readonly keyPrefix?: string
  /** Default visibility timeout of subscriptions. Default 30 000 ms. */
  readonly visibilityTimeoutMs?: number
  /**
   * Keep topic streams near this many entries: entries every group has acked are trimmed once a
   * stream is longer; entries a group still needs are never trimmed (`onTrimWarning` is told instead).
   * Default: no trimming.
   */
  readonly maxLength?: number
  /** Told when a stream stays longer than `maxLength` because a group lags. Default: a process warning. */
  readonly onTrimWarning?: (warning: TrimWarning) => void
  /** After XADD, wait until this many replicas have the events (Redis WAIT) before publish resolves. */
  readonly waitForReplicas?: { readonly replicas: number; readonly timeoutMs: number }
  /** How long a publish waits for the server (across reconnects) before it rejects. Default 30 000 ms. */
  readonly publishTimeoutMs?: number
  /** How long the first connection may take. Default 5 000 ms. */
  readonly connectTimeoutMs?: number
  /** How often due delayed retries are moved back into reach. Default 50 ms. */
  readonly delayPollMs?: number
  /** Told about an entry that is not a CloudEvent (it is acked and dropped). Default: a process warning. */
  readonly onInvalidEntry?: (error: unknown, stream: string, id: string) => void
}

export const REDIS_FEATURES: TransportFeatures = Object.freeze({
  consumerGroups: true,
  persistent: true,
  // One group's entries go to whichever member reads next; Redis Streams have no per-key partitions.
  orderedPerKey: false,
  nativeDelay: true,
  deliveryCount: true,
  replayFromStart: true,
})

/**
 * A transport on Redis Streams: a stream per topic, a consumer group per group (XREADGROUP / XACK),
 * stale entries reclaimed with XPENDING + XCLAIM after the visibility timeout, delivery counts from
 * the pending-entries list, and delayed retries through a sorted set. Connects before it resolves,
 * so a wrong URL or an absent server fails here.
 */
export async function createRedisTransport(options: RedisTransportOptions = {}): Promise<Transport> {
  const address = parseRedisUrl(options.url ?? DEFAULT_REDIS_URL)
  const settings = readSettings(options)
  const instance = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`
  const commands = await connectToRedis(address, { connectTimeoutMs: settings.connectTimeoutMs, name: `sepal-${instance}`, autoPipelining: true })
  return new RedisTransport(address, commands, settings, instance)
}

type Settings = ReturnType<typeof readSettings>

function readSettings(options: RedisTransportOptions) {
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback
    if (!Number.isFinite(value) || value <= 0) throw new OptionsError(`${name} must be a positive number, got ${JSON.stringify(value)}`)
    return value
  }
  const mode = options.mode ?? 'binary'
  if (mode !== 'binary' && mode !== 'structured') throw new OptionsError(`mode must be "binary" or "structured", got ${JSON.stringify(mode)}`)
  const wait = options.waitForReplicas
  if (wait !== undefined && (!Number.isInteger(wait.replicas) || wait.replicas < 1)) {
    throw new OptionsError(`waitForReplicas.replicas must be a positive integer, got ${JSON.stringify(wait.replicas)}`)
  }
  const maxLength = options.maxLength === undefined ? undefined : positive('maxLength', options.maxLength, 0)
  return {
    mode,
    keyPrefix: checkKeyPrefix(options.keyPrefix ?? 'sepal:'),
    visibilityTimeoutMs: positive('visibilityTimeoutMs', options.visibilityTimeoutMs, 30_000),
    maxLength,
    onTrimWarning: options.onTrimWarning ?? ((warning: TrimWarning) => process.emitWarning(warning.message, 'SepalRedisTrimWarning')),
    waitForReplicas: wait === undefined ? undefined : { replicas: wait.replicas, timeoutMs: positive('waitForReplicas.timeoutMs', wait.timeoutMs, 0) },
    publishTimeoutMs: positive('publishTimeoutMs', options.publishTimeoutMs, 30_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 5_000),
    delayPollMs: positive('delayPollMs', options.delayPollMs, 50),
    onInvalidEntry:
      options.onInvalidEntry ??
      ((error: unknown, stream: string, id: string) =>
        process.emitWarning(`redis entry ${id} of ${stream} is not a CloudEvent and was dropped: ${describe(error)}`, 'SepalInvalidEntry')),
  }
}

class RedisTransport implements Transport {
  readonly name = 'redis'
  readonly features = REDIS_FEATURES
  readonly #address: RedisAddress
  readonly #commands: Redis
  readonly #settings: Settings
  readonly #instance: string
  readonly #publishing = new Set<Promise<void>>()
  readonly #subscriptions = new Set<PullSubscription>()
  readonly #trim: TrimGuard | undefined
  #closed = false
  #closing: Promise<void> | undefined
  #subscriptionCount = 0

  constructor(address: RedisAddress, commands: Redis, settings: Settings, instance: string) {
    this.#address = address
    this.#commands = commands
    this.#settings = settings
    this.#instance = instance
    this.#trim = settings.maxLength === undefined ? undefined : new TrimGuard(commands, settings.maxLength, settings.onTrimWarning)
  }

  publish(topic: string, events: readonly CloudEvent[], options: PublishOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(closedError('the redis transport'))
    const publishing = this.#publish(topic, events, options)
    this.#publishing.add(publishing)
    void publishing.then(
      () => this.#publishing.delete(publishing),
      () => this.#publishing.delete(publishing),
    )
    return publishing
  }

  async #publish(topic: string, events: readonly CloudEvent[], options: PublishOptions): Promise<void> {
    checkTopic(topic)
    checkTopicName(topic)
    if (events.length === 0) return
    const stream = topicKeys(this.#settings.keyPrefix, topic).stream
    const entries = events.map((event) => toStreamFields(event, this.#settings.mode, options.key))
    const pipeline = this.#commands.pipeline()
    for (const fields of entries) pipeline.xadd(stream, '*', ...fields)
    const wait = this.#settings.waitForReplicas
    if (wait !== undefined) pipeline.wait(wait.replicas, wait.timeoutMs)
    let results: Awaited<ReturnType<typeof pipeline.exec>>
    try {
      const what = `did not confirm ${events.length} event(s)`
      results = await this.#withinTimeout(pipeline.exec(), what, 'they may or may not be stored: retry the publish')
    } catch (error) {
      if (isSepalError(error)) throw error
      throw unavailable(this.#address, `failed the publish (${describe(error)}); retry it`, error)
    }
    for (const [error] of results ?? []) {
      if (error !== null) throw unavailable(this.#address, `refused the publish (${describe(error)}); retry it`, error)
    }
    if (wait !== undefined) {
      const acknowledged = Number(results?.at(-1)?.[1] ?? 0)
      if (acknowledged < wait.replicas) {
        throw unavailable(this.#address, `stored the events but only ${acknowledged} of ${wait.replicas} replicas confirmed them within ${wait.timeoutMs} ms; retry the publish`)
      }
    }
    this.#trim?.published(stream)
  }

  /** Rejects with SEPAL_ERR_TRANSPORT_UNAVAILABLE when the server has not answered within publishTimeoutMs. */
  async #withinTimeout<T>(work: Promise<T>, what: string, advice: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const ms = this.#settings.publishTimeoutMs
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(this.#address, `${what} within ${ms} ms; ${advice}`)), ms)
    })
    try {
      return await Promise.race([work, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async subscribe(topic: string, options: SubscribeOptions): Promise<Subscription> {
    if (this.#closed) throw closedError('the redis transport')
    checkTopic(topic)
    checkTopicName(topic)
    checkGroup(options.group)
    const maxInFlight = resolveMaxInFlight(options.maxInFlight)
    const visibilityTimeoutMs = checkVisibility(options.visibilityTimeoutMs) ?? this.#settings.visibilityTimeoutMs
    const keys = topicKeys(this.#settings.keyPrefix, topic)
    const { group } = options
    const retryStream = keys.retry(group)
    const ensureGroup = async (start: '$' | '0'): Promise<void> => {
      await Promise.all([createGroup(this.#commands, keys.stream, group, start), createGroup(this.#commands, retryStream, group, '0')])
    }
    const creating = ensureGroup(options.from === 'earliest' ? '0' : '$')
    try {
      const what = `did not create group ${JSON.stringify(group)} on topic ${JSON.stringify(topic)}`
      await this.#withinTimeout(creating, what, 'check that it is running, then subscribe again')
    } catch (error) {
      if (isSepalError(error)) throw error
      throw unavailable(this.#address, `could not create group ${JSON.stringify(group)} on topic ${JSON.stringify(topic)} (${describe(error)})`, error)
    }
    const consumer = `${this.#instance}-${++this.#subscriptionCount}`
    const blocking = await connectToRedis(this.#address, { connectTimeoutMs: this.#settings.connectTimeoutMs, name: `sepal-${consumer}`, autoPipelining: false })
    if (this.#closed) {
      blocking.disconnect()
      throw closedError('the redis transport')
    }
    const source = new RedisGroupSource({
      commands: this.#commands,
      blocking,
      stream: keys.stream,
      retryStream,
      delayedSet: keys.delayed(group),
      group,
      consumer,
      maxInFlight,
      visibilityTimeoutMs,
      blockMs: 2_000,
      delayPollMs: this.#settings.delayPollMs,
      // A group the server lost (a restart without persistence) is made again from the start: duplicates, not loss.
      ensureGroup: () => ensureGroup('0'),
      onInvalidEntry: this.#settings.onInvalidEntry,
      // Connection errors are expected while the server is away (the read is retried); a refusal by the
      // server is not, and is reported.
      onError: (error) => {
        if (error instanceof Error && /ReplyError/.test(`${error.name} ${error.constructor.name}`)) {
          process.emitWarning(`redis subscription to ${JSON.stringify(topic)} (group ${JSON.stringify(group)}): ${error.message}`, 'SepalRedisWarning')
        }
      },
    })
    const subscription = new PullSubscription(source, {
      maxInFlight,
      signal: options.signal,
      onClose: () => this.#subscriptions.delete(subscription),
    })
    this.#subscriptions.add(subscription)
    source.start(() => subscription.wake())
    return subscription
  }

  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled([...this.#publishing])
    await Promise.allSettled([...this.#subscriptions].map((subscription) => subscription.close()))
    this.#trim?.stop()
    // QUIT lets commands under way finish; with the server away it would wait for ever.
    await atMost(this.#commands.quit(), 2_000)
    this.#commands.disconnect()
  }
}

async function createGroup(commands: Redis, stream: string, group: string, start: '$' | '0'): Promise<void> {
  try {
    await commands.xgroup('CREATE', stream, group, start, 'MKSTREAM')
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error
  }
}

function isSepalError(error: unknown): boolean {
  return error instanceof SepalError
}
