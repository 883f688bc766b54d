import { describe, expect, it } from 'vitest'
import { parseNatsUrl } from './nats-connect.js'
import { deliveryCountOf, encodeName, subjectOf } from './nats-names.js'

describe('NATS names', () => {
  it('puts a topic under the subject prefix and refuses topics that are not subject words', () => {
    expect(subjectOf('sepal', 'orders.created')).toBe('sepal.orders.created')
    for (const bad of ['', 'a b', 'orders.*', 'orders.>', '.orders', 'orders..x']) {
      expect(() => subjectOf('sepal', bad)).toThrow(expect.objectContaining({ code: 'SEPAL_ERR_OPTIONS_INVALID' }))
    }
  })

  it('encodes names one-to-one into letters, digits, "-" and "_"', () => {
    const names = ['orders', 'orders.created', 'orders_created', 'orders_2Ecreated', 'a/b c', 'grüße', 'x__y']
    const encoded = names.map(encodeName)
    expect(encoded[1]).toBe('orders_2Ecreated')
    expect(new Set(encoded).size).toBe(names.length)
    for (const name of encoded) expect(name).toMatch(/^[A-Za-z0-9_-]+$/)
    for (const name of encoded) expect(name).not.toContain('__')
  })

  it('reads the delivery count from both shapes of ack subject', () => {
    expect(deliveryCountOf('$JS.ACK.S.c.3.10.12.1796401397114051273.0')).toBe(3)
    expect(deliveryCountOf('$JS.ACK.hub.ACC.S.c.7.10.12.1796401397114051273.0.tok')).toBe(7)
    expect(deliveryCountOf('not-an-ack')).toBe(1)
  })

  it('reads nats URLs with credentials and shows them without the password', () => {
    expect(parseNatsUrl('nats://127.0.0.1:4222')).toEqual({ server: '127.0.0.1:4222', shown: 'nats://127.0.0.1:4222' })
    expect(parseNatsUrl('nats://broker')).toMatchObject({ server: 'broker:4222' })
    expect(parseNatsUrl('nats://me:secret@h:1')).toEqual({ server: 'h:1', shown: 'nats://me:***@h:1', user: 'me', pass: 'secret' })
    expect(parseNatsUrl('nats://tok@h:1')).toEqual({ server: 'h:1', shown: 'nats://***@h:1', token: 'tok' })
  })

  it('refuses URLs it cannot use with SEPAL_ERR_TRANSPORT_URL_INVALID naming them', () => {
    for (const bad of ['http://h:4222', 'nats://h:4222/path', 'nats://h:4222?x=1', 'nats://', 'nats://h:port']) {
      expect(() => parseNatsUrl(bad)).toThrow(expect.objectContaining({ code: 'SEPAL_ERR_TRANSPORT_URL_INVALID' }))
    }
    expect(() => parseNatsUrl('nats://me:secret@h:1/x')).toThrow(/nats:\/\/\*\*\*@h:1\/x/)
  })
})
