import { describe, expect, it } from 'vitest'
import { createMemoryTransport } from '../transports/memory/memory-transport.js'
import { availableTransportSchemes, checkTransportUrl, createTransportFromUrl, registerTransportScheme, sqliteDirectory } from './transport-registry.js'

const context = { baseDirectory: '/etc/shop', dataDirectory: '/var/lib/sepal' }

describe('transport URLs', () => {
  it('puts sqlite: alone in the data directory and relative folders next to the config file', () => {
    expect(sqliteDirectory(new URL('sqlite:'), context)).toBe('/var/lib/sepal')
    expect(sqliteDirectory(new URL('sqlite:./log'), context)).toBe('/etc/shop/log')
    expect(sqliteDirectory(new URL('sqlite:/srv/log'), context)).toBe('/srv/log')
    expect(sqliteDirectory(new URL('sqlite:./my log'), context)).toBe('/etc/shop/my log')
  })

  it('names unknown, planned and malformed URLs and what to use instead', () => {
    expect(checkTransportUrl('memory:')).toBeUndefined()
    expect(checkTransportUrl('sqlite:./x')).toBeUndefined()
    expect(checkTransportUrl('zeromq://h')).toMatch(/^unknown transport scheme "zeromq:" .*; use one of .*memory:.*sqlite:/)
    expect(checkTransportUrl('nats://127.0.0.1:4222')).toBeUndefined()
    expect(checkTransportUrl('./somewhere')).toMatch(/is not a URL; write it as scheme:/)
  })

  it('rejects an unusable URL with SEPAL_ERR_TRANSPORT_URL_INVALID', async () => {
    await expect(createTransportFromUrl('zeromq://127.0.0.1:5555', context)).rejects.toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_URL_INVALID' })
    await expect(createTransportFromUrl('redis://127.0.0.1:6379/not-a-db', context)).rejects.toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_URL_INVALID' })
  })

  it('lets a transport module register its scheme', async () => {
    registerTransportScheme('test-loop', async () => createMemoryTransport(), 'test transport')
    expect(availableTransportSchemes()).toContain('test-loop:')
    const transport = await createTransportFromUrl('test-loop://anything', context)
    expect(transport.name).toBe('memory')
    await transport.close()
  })
})

describe('redactUrl', () => {
  it('hides a password and leaves everything else as written', async () => {
    const { redactUrl } = await import('./transport-registry.js')
    expect(redactUrl('amqp://guest:secret@127.0.0.1:5672')).toBe('amqp://guest:***@127.0.0.1:5672')
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379')
    expect(redactUrl('sqlite:./.sepal')).toBe('sqlite:./.sepal')
  })
})
