import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib'
import { closedError } from '../memory/transport-options.js'
import { describe, unavailable, type RabbitmqAddress } from './rabbitmq-url.js'

/** Header of a mandatory publish (a parked retry), so its basic.return can be matched to it. */
export const PUBLISH_ID_HEADER = 'x-sepal-publish-id'

export interface ConnectionSettings {
  readonly connectTimeoutMs: number
  /** Longest wait between two reconnect attempts. */
  readonly reconnectMaxDelayMs: number
  readonly name: string
}

/**
 * One AMQP connection that comes back after the broker goes away. amqplib (2.x) reopens the
 * connection itself, with exponential backoff and jitter; channels, declarations and consumers are
 * this class's and its users' to restore: the publishing channel and the declarations are made again
 * on first use after a reconnect, and subscriptions listen to `onConnect` to resume.
 */
export class RabbitmqConnection {
  readonly address: RabbitmqAddress
  readonly #recovering: RecoveringChannelModel
  readonly #listeners = new Set<(model: ChannelModel) => void>()
  readonly #waiters = new Set<() => void>()
  #model: ChannelModel | undefined
  #publishChannel: Promise<ConfirmChannel> | undefined
  #declareChannel: Promise<Channel> | undefined
  #declared = new Map<string, Promise<void>>()
  #closed = false
  /** Ids (header `x-sepal-publish-id`) of mandatory messages the broker returned as unroutable. */
  readonly returned = new Set<string>()

  private constructor(address: RabbitmqAddress, recovering: RecoveringChannelModel) {
    this.address = address
    this.#recovering = recovering
    recovering.on('connect', (model) => this.#connected(model))
    recovering.on('disconnect', () => this.#disconnected())
    // Connection errors are followed by 'disconnect'; listening keeps them from crashing the process.
    recovering.on('error', () => undefined)
    recovering.on('connect-failed', () => undefined)
  }

  /** Connects once; an unreachable broker or refused login fails at once with SEPAL_ERR_TRANSPORT_UNAVAILABLE. */
  static async open(address: RabbitmqAddress, settings: ConnectionSettings): Promise<RabbitmqConnection> {
    const connectOptions = {
      protocol: address.protocol,
      hostname: address.hostname,
      port: address.port,
      username: address.username,
      password: address.password,
      vhost: address.vhost,
      heartbeat: address.heartbeat,
      frameMax: address.frameMax,
    }
    const recovering = await amqp.connect(connectOptions, {
      timeout: settings.connectTimeoutMs,
      clientProperties: { connection_name: settings.name },
      recovery: { initialMaxRetries: 0, initialDelay: 100, maxDelay: settings.reconnectMaxDelayMs, waitForConnect: false },
    })
    const connection = new RabbitmqConnection(address, recovering)
    try {
      await recovering.waitForConnect()
    } catch (error) {
      await recovering.close().catch(() => undefined)
      throw unavailable(address, `cannot be reached (${describe(error)}); start it (scripts/services.sh up rabbitmq) or check the URL and credentials`, error)
    }
    return connection
  }

  get connected(): boolean {
    return this.#model !== undefined
  }

  /** Calls `listener` after every reconnect. Returns a remover. */
  onConnect(listener: (model: ChannelModel) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The live connection, waiting for a reconnect until `deadline` (epoch ms). */
  async model(deadline: number): Promise<ChannelModel> {
    while (this.#model === undefined) {
      if (this.#closed) throw closedError('rabbitmq transport')
      const left = deadline - Date.now()
      if (left <= 0) throw unavailable(this.address, 'is away and did not come back in time; retry later')
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer)
          this.#waiters.delete(done)
          resolve()
        }
        const timer = setTimeout(done, left)
        this.#waiters.add(done)
      })
    }
    return this.#model
  }

  /** The confirm channel publishes go through, opened again after it or the connection closed. */
  publishChannel(deadline: number): Promise<ConfirmChannel> {
    this.#publishChannel ??= this.#open(deadline, true, () => (this.#publishChannel = undefined))
    return this.#publishChannel
  }

  /**
   * Runs a declaration once per connection: `what` names it (e.g. `queue:<name>`). A failed one is
   * tried again next time; declarations are forgotten on reconnect, since a restarted broker may
   * have lost non-durable state.
   */
  declare(what: string, deadline: number, declaration: (channel: Channel) => Promise<unknown>): Promise<void> {
    let done = this.#declared.get(what)
    if (done === undefined) {
      done = (async () => {
        this.#declareChannel ??= this.#open(deadline, false, () => (this.#declareChannel = undefined))
        await declaration(await this.#declareChannel)
      })()
      this.#declared.set(what, done)
      done.catch(() => this.#declared.delete(what))
    }
    return done
  }

  /** Makes the next `declare(what)` run again (e.g. the queue was deleted under a consumer). */
  forget(what: string): void {
    this.#declared.delete(what)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#wakeWaiters()
    await this.#recovering.close().catch(() => undefined)
  }

  async #open<T extends boolean>(deadline: number, confirm: T, onClose: () => void): Promise<T extends true ? ConfirmChannel : Channel> {
    try {
      const model = await this.model(deadline)
      const channel = confirm ? await model.createConfirmChannel() : await model.createChannel()
      channel.on('error', () => undefined)
      channel.once('close', onClose)
      // A mandatory message that reached no queue comes back (before its confirm) as a basic.return.
      channel.on('return', (message: { properties: { headers?: Record<string, unknown> } }) => {
        const id = message.properties.headers?.[PUBLISH_ID_HEADER]
        if (typeof id === 'string') this.returned.add(id)
      })
      return channel as T extends true ? ConfirmChannel : Channel
    } catch (error) {
      onClose()
      throw error
    }
  }

  #connected(model: ChannelModel): void {
    this.#model = model
    this.#wakeWaiters()
    for (const listener of this.#listeners) listener(model)
  }

  #disconnected(): void {
    this.#model = undefined
    this.#publishChannel = undefined
    this.#declareChannel = undefined
    this.#declared = new Map()
  }

  #wakeWaiters(): void {
    const waiters = [...this.#waiters]
    this.#waiters.clear()
    for (const wake of waiters) wake()
  }
}
