import { describe, expect, it } from 'vitest'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { Entry } from './kafka-delivery.js'
import { OffsetTracker } from './offset-tracker.js'
import { ReadyQueue } from './ready-queue.js'

const tracker = new OffsetTracker()
const event: CloudEvent = { specversion: '1.0', id: 'e', source: 's', type: 't' }

function entry(offset: number, key: string | undefined, original = true, partition = 0): Entry {
  return { topic: original ? 't' : 't.retry', partition, offset: BigInt(offset), tracker, event, key, original, attempt: 1, lease: 0, leaseUntil: 0 }
}

function drain(queue: ReadyQueue): number[] {
  const offsets: number[] = []
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) offsets.push(Number(next.offset))
  return offsets
}

describe('ReadyQueue', () => {
  it('holds later records of a key back until the earlier one is released, other keys go on', () => {
    const queue = new ReadyQueue(() => true, () => undefined)
    const first = entry(1, 'a')
    queue.receive(first, undefined)
    queue.receive(entry(2, 'a'), undefined)
    queue.receive(entry(3, 'b'), undefined)
    queue.receive(entry(4, undefined), undefined)
    expect(drain(queue)).toEqual([1, 3, 4])
    queue.release(first)
    expect(drain(queue)).toEqual([2])
  })

  it('lets the retried record of a held key through, and keeps the key held until it is released', () => {
    const queue = new ReadyQueue(() => true, () => undefined)
    queue.receive(entry(1, 'a'), undefined)
    expect(drain(queue)).toEqual([1])
    // The first record was nacked and re-published: a later record of the key arrives, then the retry.
    queue.receive(entry(2, 'a'), undefined)
    const retried = entry(0, 'a', false)
    queue.receive(retried, undefined)
    expect(drain(queue)).toEqual([0])
    queue.release(retried)
    expect(drain(queue)).toEqual([2])
  })

  it('keeps a delayed record until it is due, and forgets records of revoked partitions', async () => {
    let woken = 0
    const owned = new Set([0])
    const queue = new ReadyQueue((candidate) => owned.has(candidate.partition), () => woken++)
    queue.receive(entry(1, undefined, false), Date.now() + 30)
    queue.receive(entry(2, 'k', true, 1), undefined)
    expect(queue.length).toBe(1)
    owned.delete(1)
    queue.dropRevoked((partition) => owned.has(partition))
    expect(drain(queue)).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(woken).toBeGreaterThan(0)
    expect(drain(queue)).toEqual([1])
    queue.clear()
  })
})
