import { describe, expect, it } from 'vitest'
import { coPartitionAssigner } from './co-partition-assigner.js'
import { parseKafkaUrl } from './kafka-url.js'
import { createKafkaTransport } from './kafka-transport.js'
import { retryTopicName } from './kafka-topics.js'

describe('kafka URLs', () => {
  it('reads one or several brokers, port 9092 when absent', () => {
    expect(parseKafkaUrl('kafka://127.0.0.1:9092').brokers).toEqual(['127.0.0.1:9092'])
    expect(parseKafkaUrl('kafka://a,b:9093/').brokers).toEqual(['a:9092', 'b:9093'])
  })

  it('rejects other schemes, paths, credentials and empty hosts with SEPAL_ERR_TRANSPORT_URL_INVALID naming the URL', () => {
    for (const url of ['nats://127.0.0.1:4222', 'kafka://h:9092/topic', 'kafka://user:pw@h:9092', 'kafka://', 'kafka://h:port']) {
      expect(() => parseKafkaUrl(url)).toThrow(expect.objectContaining({ code: 'SEPAL_ERR_TRANSPORT_URL_INVALID' }))
    }
    expect(() => parseKafkaUrl('kafka://h:9092/topic')).toThrow(/"kafka:\/\/h:9092\/topic"/)
  })

  it('fails with SEPAL_ERR_TRANSPORT_UNAVAILABLE naming the broker when nothing listens', async () => {
    const error = await createKafkaTransport({ url: 'kafka://127.0.0.1:1' }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE' })
    expect(String((error as Error).message)).toContain('kafka://127.0.0.1:1')
  }, 30_000)
})

describe('kafka names and partition assignment', () => {
  it('names the retry topic after the topic and group, hashing a group that would make it too long', () => {
    expect(retryTopicName('orders', 'billing')).toBe('orders.sepal-retry.billing')
    expect(retryTopicName('t'.repeat(200), 'g'.repeat(200)).length).toBeLessThanOrEqual(249)
  })

  it('gives partition i of every topic to the same member', () => {
    const members = new Map([
      ['m-b', { memberId: 'm-b', version: 1 }],
      ['m-a', { memberId: 'm-a', version: 1 }],
    ])
    const topics = new Map([
      ['t', { partitionsCount: 3 }],
      ['t.retry', { partitionsCount: 3 }],
    ])
    const result = coPartitionAssigner('m-a', members, new Set(topics.keys()), { topics } as never)
    const of = (member: string, topic: string): number[] | undefined =>
      result.find((entry) => entry.memberId === member)?.assignments.get(topic)?.partitions
    expect(of('m-a', 't')).toEqual([0, 2])
    expect(of('m-a', 't.retry')).toEqual([0, 2])
    expect(of('m-b', 't')).toEqual([1])
    expect(of('m-b', 't.retry')).toEqual([1])
  })
})
