import { describe, expect, it } from 'vitest'
import { createKeySequencer } from './key-sequencer.js'

function deferred() {
  let resolve!: () => void
  let reject!: (e: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('key sequencer', () => {
  it('runs tasks of one key strictly in submission order, one at a time', async () => {
    const sequencer = createKeySequencer({ concurrency: 8 })
    const log: string[] = []
    const gates = [deferred(), deferred(), deferred()]
    const runs = gates.map((gate, i) =>
      sequencer.run('k', async () => {
        log.push(`start ${i}`)
        await gate.promise
        log.push(`end ${i}`)
      }),
    )
    await tick()
    expect(log).toEqual(['start 0'])
    gates[2]!.resolve()
    gates[1]!.resolve()
    await tick()
    expect(log).toEqual(['start 0'])
    gates[0]!.resolve()
    await Promise.all(runs)
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2'])
  })

  it('lets a waiting task hold only its own key while other keys proceed', async () => {
    const sequencer = createKeySequencer({ concurrency: 8 })
    const retrying = deferred()
    const log: string[] = []
    const a1 = sequencer.run('a', async () => {
      await retrying.promise
      log.push('a1')
    })
    const a2 = sequencer.run('a', async () => log.push('a2'))
    const b1 = sequencer.run('b', async () => log.push('b1'))
    await b1
    expect(log).toEqual(['b1'])
    retrying.resolve()
    await Promise.all([a1, a2])
    expect(log).toEqual(['b1', 'a1', 'a2'])
  })

  it('releases the key when a task fails, and reports the failure to its caller', async () => {
    const sequencer = createKeySequencer({ concurrency: 2 })
    const failed = sequencer.run('k', async () => {
      throw new Error('dead-lettered')
    })
    const next = sequencer.run('k', async () => 'ran')
    await expect(failed).rejects.toThrow('dead-lettered')
    await expect(next).resolves.toBe('ran')
  })

  it('never runs more than `concurrency` tasks at once across keys', async () => {
    const sequencer = createKeySequencer({ concurrency: 3 })
    let active = 0
    let peak = 0
    const runs = Array.from({ length: 20 }, (_, i) =>
      sequencer.run(i % 4 === 0 ? undefined : `k${i % 5}`, async () => {
        active++
        peak = Math.max(peak, active)
        await tick()
        active--
      }),
    )
    await Promise.all(runs)
    expect(peak).toBe(3)
    expect(sequencer.pending).toBe(0)
  })

  it('tells when every submitted task has finished', async () => {
    const sequencer = createKeySequencer({ concurrency: 1 })
    const gate = deferred()
    void sequencer.run('k', () => gate.promise)
    let idle = false
    const waiting = sequencer.idle().then(() => (idle = true))
    await tick()
    expect(idle).toBe(false)
    gate.resolve()
    await waiting
    expect(idle).toBe(true)
  })
})
