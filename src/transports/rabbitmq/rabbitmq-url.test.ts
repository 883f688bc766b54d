import { describe, expect, it } from 'vitest'
import { createRabbitmqTransport } from './rabbitmq-transport.js'
import { delayBucket, queueName } from './rabbitmq-topology.js'
import { parseRabbitmqUrl } from './rabbitmq-url.js'

describe('rabbitmq URLs', () => {
  it('reads host, port, credentials and vhost, and hides the password in what it shows', () => {
    expect(parseRabbitmqUrl('amqp://app:s3cret@broker.example:5673/orders?heartbeat=5')).toMatchObject({
      protocol: 'amqp',
      hostname: 'broker.example',
      port: 5673,
      username: 'app',
      password: 's3cret',
      vhost: 'orders',
      heartbeat: 5,
      shown: 'amqp://app:***@broker.example:5673/orders',
    })
    expect(parseRabbitmqUrl('amqps://h')).toMatchObject({ port: 5671, vhost: '/', username: 'guest', password: 'guest' })
    expect(parseRabbitmqUrl('amqp://h/%2f').vhost).toBe('/')
  })

  it('refuses other schemes, paths with several segments and unknown parameters, naming the URL without its password', () => {
    for (const bad of ['http://h:5672', 'amqp://u:pw@h/a/b', 'amqp://h?channelMax=3', 'amqp://h?heartbeat=soon', 'amqp:no-host']) {
      expect(() => parseRabbitmqUrl(bad)).toThrowError(expect.objectContaining({ code: 'SEPAL_ERR_TRANSPORT_URL_INVALID' }))
    }
    expect(() => parseRabbitmqUrl('amqp://u:pw@h/a/b')).toThrow(/"amqp:\/\/u:\*\*\*@h\/a\/b"/)
  })

  it('fails at once with SEPAL_ERR_TRANSPORT_UNAVAILABLE naming the broker when nothing listens', async () => {
    const opening = createRabbitmqTransport({ url: 'amqp://app:s3cret@127.0.0.1:1', connectTimeoutMs: 2_000 })
    await expect(opening).rejects.toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE' })
    await expect(opening).rejects.toThrow(/rabbitmq broker at amqp:\/\/app:\*\*\*@127\.0\.0\.1:1 cannot be reached/)
    await expect(opening).rejects.not.toThrow(/s3cret/)
  })
})

describe('rabbitmq names', () => {
  it('rounds delays up to a power of two, so a retry never comes early', () => {
    expect([1, 2, 3, 500, 512, 513, 60_000].map(delayBucket)).toEqual([1, 2, 4, 512, 512, 1024, 65_536])
    expect(delayBucket(10 ** 12)).toBe(2 ** 31)
  })

  it('refuses names the broker would refuse', () => {
    expect(queueName('', 'orders', 'billing')).toBe('orders.billing')
    expect(() => queueName('', 'x'.repeat(250), 'g')).toThrow(/longer than 255 bytes/)
    expect(() => queueName('', 'amq.orders', 'g')).toThrow(/reserves/)
  })
})
