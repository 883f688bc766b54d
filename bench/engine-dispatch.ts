// Engine dispatch throughput: the engine consuming from the memory transport (decode + match + a no-op handler +
// ack) against a bare loop doing only JSON.parse of the same event texts. The events, ~1 KB CloudEvents, are
// published before the clock starts; one rule matches every event. Both sides run in this process, alternating,
// and each figure is the median of the repetitions.
//
//   node --import tsx bench/engine-dispatch.ts [--events 20000] [--repeat 5]
import { parseArgs } from 'node:util'
import type { CloudEvent } from '../src/event/cloud-event.js'
import { createMemoryTransport } from '../src/transports/memory/memory-transport.js'
import { timeEngineUntilSettled } from './support/engine-run.js'
import { isMain } from './support/is-main.js'
import { orderEvent as makeEvent } from './support/order-event.js'
import { median, sampler, type Sample } from './support/stats.js'

export interface EngineDispatchRow {
  readonly name: string
  /** Median of the runs. */
  readonly eventsPerSecond: number
  /** eventsPerSecond / the bare JSON.parse loop's, measured in the same run. */
  readonly ratio: number
  /** Median CPU time (user + system) per event: steadier than wall time on a busy machine. */
  readonly cpuMicrosPerEvent: number
}

export interface EngineDispatchBenchOptions {
  readonly events?: number
  readonly repeat?: number
}

function bareParse(texts: readonly string[]): Sample {
  const done = sampler(texts.length)
  let sink = 0
  for (const text of texts) sink += (JSON.parse(text) as { id: string }).id.length
  const sample = done()
  if (sink === 0) throw new Error('the parse loop was optimised away')
  return sample
}

/** The transport's share of the engine's path: take each delivery and ack it, nothing else. */
async function transportOnly(events: readonly CloudEvent[]): Promise<Sample> {
  const transport = createMemoryTransport()
  await transport.publish('events', events)
  const done = sampler(events.length)
  const subscription = await transport.subscribe('events', { group: 'probe', from: 'earliest' })
  const deliveries = subscription[Symbol.asyncIterator]()
  for (let n = 0; n < events.length; n++) {
    const next = await deliveries.next()
    if (next.done === true) throw new Error('the subscription ended early')
    void next.value.ack()
  }
  const sample = done()
  await subscription.close()
  await transport.close()
  return sample
}

async function engineDispatch(events: readonly CloudEvent[]): Promise<Sample> {
  const transport = createMemoryTransport()
  await transport.publish('events', events)
  const sample = await timeEngineUntilSettled(events.length, {
    transport,
    from: 'earliest',
    rules: [{ name: 'orders', pattern: { source: ['app.orders'], 'detail-type': ['OrderPlaced'] }, targets: [{ kind: 'handler', handler: () => undefined }] }],
  })
  await transport.close()
  return sample
}

export async function run(options: EngineDispatchBenchOptions = {}): Promise<EngineDispatchRow[]> {
  const count = options.events ?? 20_000
  const repeat = options.repeat ?? 5
  const events = Array.from({ length: count }, (_, i) => makeEvent(i))
  const texts = events.map((e) => JSON.stringify(e))
  // Warm-up: the JIT should have seen both paths before anything is measured.
  bareParse(texts)
  await engineDispatch(events.slice(0, Math.min(count, 5_000)))
  const bare: Sample[] = []
  const transport: Sample[] = []
  const sepal: Sample[] = []
  for (let i = 0; i < repeat; i++) {
    // Rotate the order so drift on the machine hits all three alike.
    const order = [0, 1, 2].map((k) => (k + i) % 3)
    for (const k of order) {
      if (k === 0) bare.push(bareParse(texts))
      else if (k === 1) transport.push(await transportOnly(events))
      else sepal.push(await engineDispatch(events))
    }
  }
  const bareRate = median(bare.map((s) => s.rate))
  const row = (name: string, samples: readonly Sample[]): EngineDispatchRow => {
    const rate = median(samples.map((s) => s.rate))
    return {
      name,
      eventsPerSecond: Math.round(rate),
      ratio: Number((rate / bareRate).toFixed(3)),
      cpuMicrosPerEvent: Number(median(samples.map((s) => s.cpuMicros)).toFixed(2)),
    }
  }
  return [
    row('bare loop: JSON.parse of each event text', bare),
    row('memory transport alone: take + ack (no engine)', transport),
    row('sepal engine: memory transport, 1 rule, no-op handler', sepal),
  ]
}

function print(rows: readonly EngineDispatchRow[], events: number, repeat: number, bytes: number): void {
  process.stdout.write(`Engine dispatch, ${events} CloudEvents of ~${bytes} bytes, x ${repeat} (medians)\n`)
  for (const row of rows) {
    process.stdout.write(
      `  ${row.name.padEnd(56)} ${String(row.eventsPerSecond).padStart(9)} events/s  ratio ${row.ratio.toFixed(2)}x  cpu ${row.cpuMicrosPerEvent.toFixed(2)} µs/event\n`,
    )
  }
  process.stdout.write('  target: sepal >= 0.5x the bare JSON.parse loop\n')
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, repeat: { type: 'string', default: '5' } } })
  const options = { events: Number(values.events), repeat: Number(values.repeat) }
  const rows = await run(options)
  print(rows, options.events, options.repeat, JSON.stringify(makeEvent(0)).length)
}
