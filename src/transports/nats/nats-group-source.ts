import type { Msg, NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node'
import type { Delivery } from '../contract.js'
import { SettleOnce, type DeliverySource } from '../memory/pull-subscription.js'
import { fromNatsMessage } from './nats-binding.js'
import { deliveryCountOf } from './nats-names.js'

export interface GroupSourceOptions {
  readonly connection: NatsConnection
  readonly stream: string
  readonly consumer: string
  /** The consumer's ack wait: how long a delivery stays leased to this member. */
  readonly ackWaitMs: number
  /** Keep unsettled deliveries leased (`+WPI`) for as long as the subscription is open. */
  readonly extendWhileUnsettled: boolean
  /** The longest one pull request waits at the server for messages (it is kept under half the ack wait). */
  readonly pullExpiresMs: number
  /** Creates the stream and consumer again (the broker lost them, e.g. a memory-storage restart). */
  readonly repair: () => Promise<void>
  /** A message that is not a CloudEvent; it has been terminated (`+TERM`), never to come back. */
  readonly onInvalidMessage: (error: unknown, message: Msg) => void
}

const HEARTBEAT_MS = 5_000
/** How long a closed subscription keeps its inbox to give back messages its pull requests still bring. */
const LINGER_MS = 300
/** After the server refused a pull request (no consumer, no JetStream yet), wait this long before asking again. */
const REFUSED_PAUSE_MS = 500
const NANOS_PER_MS = 1_000_000
/** The broker starts the ack wait when it sends; this much earlier the client counts a lease as over. */
const LEASE_MARGIN_MS = 50

/**
 * One subscription's view of a durable pull consumer. It asks the server for no more messages than
 * the subscription may hand out now (free slots minus what is buffered or already asked for), so a
 * member never sits on messages another member of its group could take. Pull requests are long
 * polls with idle heartbeats; the count of messages still owed comes back in the server's 408/409
 * statuses, and is forgotten after a reconnect (the server dropped those requests) or a silence
 * longer than three heartbeats. A delivery not settled within the ack wait goes to another member
 * (a hung consumer loses its lease) unless `extendWhileUnsettled` keeps it leased with `+WPI` while
 * the subscription is open; after `release()` what is still unsettled comes back after the ack wait.
 */
export class NatsGroupSource implements DeliverySource {
  readonly #options: GroupSourceOptions
  readonly #inbox: string
  readonly #subscription: NatsSubscription
  readonly #timer: NodeJS.Timeout
  readonly #buffer: Msg[] = []
  readonly #unsettled = new Set<NatsDelivery>()
  #requested = 0
  #lastHeard = Date.now()
  #lastExtended = Date.now()
  #pausedUntil = 0
  #repairing = false
  #released: Promise<void> | undefined
  #requestsDone: (() => void) | undefined
  readonly #expiresMs: number
  readonly #heartbeatMs: number
  /** Set by the subscription that owns this source: wakes its waiting `next()` calls. */
  wake: () => void = () => undefined

  constructor(options: GroupSourceOptions, inbox: string) {
    this.#options = options
    this.#inbox = inbox
    // A member that stops asking still has its open requests at the server, and they can take an
    // event whose lease ran out elsewhere; expiring them within half an ack wait bounds that delay.
    this.#expiresMs = Math.max(100, Math.min(options.pullExpiresMs, Math.floor(options.ackWaitMs / 2)))
    this.#heartbeatMs = Math.min(HEARTBEAT_MS, Math.floor(this.#expiresMs / 2))
    this.#subscription = options.connection.subscribe(inbox, { callback: (error, message) => this.#receive(error, message) })
    const tick = Math.max(20, this.#heartbeatMs)
    this.#timer = setInterval(() => this.#tick(), tick)
    this.#timer.unref()
  }

  take(room: number, onSettle: () => void): Delivery | undefined {
    let delivery: NatsDelivery | undefined
    while (delivery === undefined && this.#buffer.length > 0) delivery = this.#decode(this.#buffer.shift()!, onSettle)
    this.#pull(room - (delivery === undefined ? 0 : 1))
    return delivery
  }

  /** The server dropped every pull request of this client (it restarted, or the connection broke). */
  forgetRequests(): void {
    this.#requested = 0
    this.wake()
  }

  /**
   * Stops fetching; what was fetched but not handed out goes back to the group at once (`-NAK`).
   * Pull requests cannot be withdrawn, and a message the server sends to an inbox that is gone waits
   * out the ack wait; so the inbox stays open (nacking what arrives) until the requests are used up
   * or a short linger has passed, and is then drained.
   */
  release(): Promise<void> {
    this.#released ??= (async () => {
      clearInterval(this.#timer)
      for (const message of this.#buffer.splice(0)) respond(message, '-NAK')
      if (this.#requested > 0 && !this.#options.connection.isClosed()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, LINGER_MS)
          this.#requestsDone = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
      await this.#subscription.drain().catch(() => undefined)
    })()
    return this.#released
  }

  get ackWaitMs(): number {
    return this.#options.ackWaitMs
  }

  settled(delivery: NatsDelivery): void {
    this.#unsettled.delete(delivery)
  }

  #decode(message: Msg, onSettle: () => void): NatsDelivery | undefined {
    try {
      const { event, key } = fromNatsMessage({ headers: message.headers, body: message.data })
      const delivery = new NatsDelivery(this, message, event, deliveryCountOf(message.reply ?? ''), key, onSettle)
      if (this.#options.extendWhileUnsettled) this.#unsettled.add(delivery)
      return delivery
    } catch (error) {
      respond(message, '+TERM')
      this.#options.onInvalidMessage(error, message)
      return undefined
    }
  }

  #pull(room: number): void {
    const wanted = room - this.#buffer.length - this.#requested
    if (this.#released !== undefined || wanted <= 0 || this.#options.connection.isClosed()) return
    if (Date.now() < this.#pausedUntil) return
    // Small top-ups wait until a request is used up, so a busy subscription sends few requests.
    if (this.#requested > 0 && wanted < Math.ceil(room / 8)) return
    const { stream, consumer } = this.#options
    const request = { batch: wanted, expires: this.#expiresMs * NANOS_PER_MS, idle_heartbeat: this.#heartbeatMs * NANOS_PER_MS }
    try {
      this.#options.connection.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, JSON.stringify(request), {
        reply: this.#inbox,
      })
      if (this.#requested === 0) this.#lastHeard = Date.now()
      this.#requested += wanted
    } catch {
      // The connection is closing; nothing was asked for.
    }
  }

  #receive(error: Error | null, message: Msg): void {
    this.#lastHeard = Date.now()
    if (error !== null) return
    if (!message.reply) {
      this.#status(message)
      return
    }
    this.#requested = Math.max(0, this.#requested - 1)
    if (this.#released !== undefined) {
      respond(message, '-NAK')
      if (this.#requested === 0) this.#requestsDone?.()
      return
    }
    this.#buffer.push(message)
    this.wake()
  }

  /** 100 is an idle heartbeat; 404/408/409 end a pull request and say how many messages it still owed. */
  #status(message: Msg): void {
    const code = message.headers?.code ?? 0
    if (code === 100 || code === 0) return
    const owed = Number(message.headers?.get('Nats-Pending-Messages'))
    this.#requested = Number.isFinite(owed) && owed > 0 ? Math.max(0, this.#requested - owed) : 0
    if (this.#requested === 0) this.#requestsDone?.()
    // 408 is a request that expired, the normal end of a long poll. Anything else is a refusal:
    // pause instead of asking again at once, and make the consumer again if it is gone.
    if (code !== 408) this.#refused(code, message.headers?.description ?? '')
    this.wake()
  }

  #refused(code: number, description: string): void {
    this.#pausedUntil = Date.now() + REFUSED_PAUSE_MS
    setTimeout(() => this.wake(), REFUSED_PAUSE_MS).unref()
    const gone = code === 503 || code === 404 || /deleted|not found/i.test(description)
    if (!gone || this.#repairing || this.#released !== undefined) return
    this.#repairing = true
    this.#options
      .repair()
      .catch(() => undefined)
      .finally(() => {
        this.#repairing = false
        this.wake()
      })
  }

  #tick(): void {
    const now = Date.now()
    if (this.#requested > 0 && now - this.#lastHeard > 3 * this.#heartbeatMs) {
      // Not even heartbeats: the requests are gone, and perhaps the consumer with them.
      this.#requested = 0
      this.#refused(404, 'silent')
    }
    if (now - this.#lastExtended < this.#options.ackWaitMs / 3) return
    this.#lastExtended = now
    for (const delivery of this.#unsettled) delivery.working()
    for (const message of this.#buffer) respond(message, '+WPI')
  }
}

/** A JetStream message handed out; the first settle wins and is sent to the message's ack subject. */
export class NatsDelivery extends SettleOnce {
  #settled = false
  #leaseUntil: number
  constructor(
    readonly source: NatsGroupSource,
    readonly message: Msg,
    event: Delivery['event'],
    attempt: number,
    key: string | undefined,
    onSettle: () => void,
  ) {
    super(event, attempt, key, onSettle)
    this.#leaseUntil = Date.now() + source.ackWaitMs - LEASE_MARGIN_MS
  }

  /**
   * Tells the broker the event is still being worked on (`+WPI`): the lease runs for another ack wait.
   * For handlers that outlast the visibility timeout. Does nothing once settled.
   */
  working(): void {
    if (this.#settled) return
    respond(this.message, '+WPI')
    this.#leaseUntil = Date.now() + this.source.ackWaitMs - LEASE_MARGIN_MS
  }

  protected override async settle(nackDelayMs: number | undefined): Promise<void> {
    this.#settled = true
    this.source.settled(this)
    if (nackDelayMs === undefined) {
      // Sent even after the lease ran out: the event was handled, so there is no reason to run it again.
      respond(this.message, '+ACK')
    } else if (Date.now() < this.#leaseUntil) {
      // After the lease the event may be with another member; a nack now would hand it out a third time.
      respond(this.message, nackDelayMs > 0 ? `-NAK ${JSON.stringify({ delay: nackDelayMs * NANOS_PER_MS })}` : '-NAK')
    }
  }
}

/**
 * Sends an ack-protocol word. Words are gathered and sent together once the current turn of the
 * event loop is over: a consumer acking in a loop then costs one socket write per batch, not one per
 * event. On a closed connection it does nothing: the server then redelivers after the ack wait,
 * which at-least-once allows, and a settle never rejects for it.
 */
function respond(message: Msg, word: string): void {
  if (queued.length === 0) setImmediate(sendQueued)
  queued.push(message, word)
}

const queued: Array<Msg | string> = []

function sendQueued(): void {
  const words = queued.splice(0)
  for (let i = 0; i < words.length; i += 2) {
    try {
      ;(words[i] as Msg).respond(words[i + 1] as string)
    } catch {
      // closed connection: see above
    }
  }
}
