import { describe, expect, it } from 'vitest'
import { runTransportSuite } from '../../testing/transport-suite.js'
import { reconnectsAfterBrokerRestart } from '../../testing/transport-suite-groups.js'
import { createSuiteContext } from '../../testing/transport-suite-helpers.js'
import { SepalError } from '../../errors.js'
import type { Transport } from '../contract.js'
import { createMemoryTransport } from './memory-transport.js'

runTransportSuite('memory', { createTransport: () => createMemoryTransport() })

describe('memory transport', () => {
  it('rejects an empty topic, an empty group and a bad maxInFlight as options errors', async () => {
    const transport = createMemoryTransport()
    await expect(transport.publish('', [])).rejects.toMatchObject({ code: 'SEPAL_ERR_OPTIONS_INVALID' })
    await expect(transport.subscribe('t', { group: '' })).rejects.toBeInstanceOf(SepalError)
    await expect(transport.subscribe('t', { group: 'g', maxInFlight: 0 })).rejects.toMatchObject({
      code: 'SEPAL_ERR_OPTIONS_INVALID',
    })
    await transport.close()
  })

  it('delivers a frozen copy, so no group or later change of the original can alter what others see', async () => {
    const transport = createMemoryTransport()
    const one = await transport.subscribe('t', { group: 'one' })
    const two = await transport.subscribe('t', { group: 'two' })
    const event = { specversion: '1.0' as const, id: '1', source: 's', type: 't', data: { n: 1 } }
    await transport.publish('t', [event])
    event.data.n = 2
    const [a, b] = await Promise.all([one[Symbol.asyncIterator]().next(), two[Symbol.asyncIterator]().next()])
    expect(a.value?.event).toEqual({ ...event, data: { n: 1 } })
    expect(a.value?.event).not.toBe(event)
    expect(Object.isFrozen(a.value?.event.data)).toBe(true)
    expect(() => ((a.value?.event.data as { n: number }).n = 3)).toThrow(TypeError)
    expect(b.value?.event.data).toEqual({ n: 1 })
    await transport.close()
  })

  it('passes the reconnect scenario when the restart is a no-op (the scenario itself runs)', async () => {
    const opened: Transport[] = []
    let restarts = 0
    const ctx = createSuiteContext(
      { createTransport: () => createMemoryTransport(), restartBroker: async () => void restarts++ },
      opened,
    )
    await reconnectsAfterBrokerRestart(ctx)
    expect(restarts).toBe(2)
    await Promise.all(opened.map((transport) => transport.close()))
  })
})
