import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OffsetTracker } from './offset-tracker.js'

describe('OffsetTracker', () => {
  it('never commits past an unsettled offset, whatever the order of the acks', () => {
    const tracker = new OffsetTracker()
    for (const offset of [10n, 11n, 12n, 14n]) tracker.receive(offset)
    tracker.settle(12n)
    tracker.settle(14n)
    expect(tracker.commitPoint()).toBe(10n)
    tracker.committed(10n)
    expect(tracker.commitPoint()).toBeUndefined()
    tracker.settle(10n)
    expect(tracker.commitPoint()).toBe(11n)
    tracker.settle(11n)
    // 13 was never received (a gap in the log): past the last received offset once all are settled.
    expect(tracker.commitPoint()).toBe(15n)
    expect(tracker.unsettled).toBe(0)
  })

  it('refuses offsets it has already received, as a re-fetch after a rejoin brings them again', () => {
    const tracker = new OffsetTracker()
    expect(tracker.receive(5n)).toBe(true)
    expect(tracker.receive(6n)).toBe(true)
    expect(tracker.receive(5n)).toBe(false)
    expect(tracker.receive(7n)).toBe(true)
    expect(tracker.unsettled).toBe(3)
  })

  it('ignores stale records older than the position the partition is read from', () => {
    const tracker = new OffsetTracker()
    tracker.startAt(40n)
    expect(tracker.receive(39n)).toBe(false)
    expect(tracker.commitPoint()).toBe(40n)
    expect(tracker.receive(40n)).toBe(true)
  })

  it('commits the lowest unsettled offset for any order of settles (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.array(fc.nat(), { maxLength: 80 }), (count, picks) => {
        const tracker = new OffsetTracker()
        const offsets = Array.from({ length: count }, (_, i) => BigInt(i * 2))
        for (const offset of offsets) tracker.receive(offset)
        const settled = new Set<bigint>()
        for (const pick of picks) {
          const offset = offsets[pick % count]!
          tracker.settle(offset)
          settled.add(offset)
          const point = tracker.commitPoint()
          if (point !== undefined) tracker.committed(point)
          const lowestOpen = offsets.find((candidate) => !settled.has(candidate))
          const expected = lowestOpen ?? offsets.at(-1)! + 1n
          if (point !== undefined) expect(point).toBe(expected)
        }
      }),
    )
  })
})
