// What the transport benchmarks (bench/transports/*.ts) share: timing a step by wall and CPU clock, the
// sepal side of publish and consume+ack, the rows with their ratios against the raw loop, and the command
// line. Each benchmark keeps its broker-specific raw loop, topology and row names.
import { parseArgs } from 'node:util'
import type { CloudEvent } from '../../src/event/cloud-event.js'
import type { Subscription, Transport } from '../../src/transports/contract.js'
import { median } from './stats.js'

/** The wire format a transport benchmark runs in; every broker binding knows both. */
export type BenchMode = 'binary' | 'structured'

export interface TransportBenchRow {
  readonly name: string
  /** Events per second; median of the runs. */
  readonly eventsPerSecond: number
  /** eventsPerSecond / the raw loop's for the same step, measured in the same run. */
  readonly ratio: number
  /** The same ratio by CPU time of this process (user + system): steadier on a busy machine. */
  readonly cpuRatio: number
}

export interface TransportBenchOptions {
  readonly url?: string
  readonly events?: number
  readonly repeat?: number
  readonly mode?: BenchMode
}

/** One timed step: events per wall-clock second and per CPU second of this process. */
export interface Measured {
  readonly rate: number
  readonly cpuRate: number
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

export async function measure(count: number, work: () => Promise<void>): Promise<Measured> {
  const cpuStarted = cpuSeconds()
  const started = performance.now()
  await work()
  const seconds = (performance.now() - started) / 1000
  return { rate: count / seconds, cpuRate: count / (cpuSeconds() - cpuStarted) }
}

/** An empty list of measurements per named step, filled round by round. */
export function measurements<Step extends string>(...steps: readonly Step[]): Record<Step, Measured[]> {
  return Object.fromEntries(steps.map((step) => [step, []])) as unknown as Record<Step, Measured[]>
}

/**
 * Runs both sides of one round; which goes first alternates by round, so a machine or broker that gets
 * busier or quieter favours neither.
 */
export async function takeTurns(round: number, raw: () => Promise<void>, sepal: () => Promise<void>): Promise<void> {
  if (round % 2 === 0) {
    await raw()
    await sepal()
  } else {
    await sepal()
    await raw()
  }
}

/** The sepal publish step: one awaited `publish` per batch. */
export async function publishBatches(transport: Transport, topic: string, batches: readonly CloudEvent[][]): Promise<void> {
  for (const batch of batches) await transport.publish(topic, batch)
}

/**
 * The sepal consume+ack step: reads `total` deliveries and acks each without waiting for it; with
 * `awaitAcks` the step ends only once every ack has settled.
 */
export async function consumeAndAck(subscription: Subscription, total: number, awaitAcks = false): Promise<void> {
  let seen = 0
  const acks: Array<Promise<void>> = []
  for await (const delivery of subscription) {
    if (delivery.event.id.length > 0) seen++
    if (awaitAcks) acks.push(delivery.ack())
    else void delivery.ack()
    if (seen === total) break
  }
  await Promise.all(acks)
}

/** A row: the side's median rate, and its medians by wall and CPU clock over the peer's. */
export function benchRow(name: string, side: readonly Measured[], peer: readonly Measured[]): TransportBenchRow {
  return {
    name,
    eventsPerSecond: median(side.map((m) => m.rate)),
    ratio: median(side.map((m) => m.rate)) / median(peer.map((m) => m.rate)),
    cpuRatio: median(side.map((m) => m.cpuRate)) / median(peer.map((m) => m.cpuRate)),
  }
}

/** `--events N --repeat N --mode binary|structured --url URL` from the command line. */
export function optionsFromArgs(args: readonly string[] = process.argv.slice(2)): TransportBenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { events: { type: 'string' }, repeat: { type: 'string' }, mode: { type: 'string' }, url: { type: 'string' } },
  })
  return {
    ...(values.url === undefined ? {} : { url: values.url }),
    ...(values.events === undefined ? {} : { events: Number(values.events) }),
    ...(values.repeat === undefined ? {} : { repeat: Number(values.repeat) }),
    ...(values.mode === 'structured' ? { mode: 'structured' as const } : {}),
  }
}

/** The table a benchmark prints when run on its own; `width` is that of the name column. */
export function printRows(title: string, rows: readonly TransportBenchRow[], width = 48): void {
  console.log(`${title.padEnd(width)} ${'events/s'.padStart(9)}  ratio  (by CPU time)`)
  for (const row of rows) {
    const rate = Math.round(row.eventsPerSecond).toString().padStart(9)
    console.log(`${row.name.padEnd(width)} ${rate}  ${row.ratio.toFixed(2)}x  (${row.cpuRatio.toFixed(2)}x)`)
  }
}
