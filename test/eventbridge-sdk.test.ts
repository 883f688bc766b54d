import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEngine } from '../src/engine/create-engine.js'
import type { Engine } from '../src/engine/types.js'
import type { CloudEvent } from '../src/event/cloud-event.js'
import { createEventBridgeApi, eventBridgeStoreFile, type EventBridgeApi } from '../src/http/eventbridge/index.js'
import { startHttpServer, type HttpServer } from '../src/http/server.js'
import { createMemoryTransport } from '../src/transports/memory/memory-transport.js'
import type { Transport } from '../src/transports/contract.js'

interface Received {
  readonly contentType: string | undefined
  readonly body: string
}

/** A local HTTP receiver standing in for an API destination. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** A sepal like `sepal run` wires it: engine + ingress + EventBridge API over one transport and data directory. */
async function startSepal(
  transport: Transport,
  dataDirectory: string,
): Promise<{ engine: Engine; api: EventBridgeApi; server: HttpServer; client: EventBridgeClient; settled: () => number; stop(): Promise<void> }> {
  let settled = 0
  const engine = createEngine({ transport, topic: 'events', allowHosts: ['127.0.0.1'], from: 'earliest', hooks: { onSettled: () => void settled++ } })
  const api = createEventBridgeApi({ engine, transport, topic: 'events', storeFile: eventBridgeStoreFile(dataDirectory) })
  await engine.start()
  const server = await startHttpServer({ transport, topic: 'events', eventBridge: api })
  const client = new EventBridgeClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
  return {
    engine,
    api,
    server,
    client,
    settled: () => settled,
    async stop() {
      client.destroy()
      await server.close()
      await engine.stop({ drainTimeoutMs: 1000 })
      api.close()
    },
  }
}

async function collect(transport: Transport, topic: string, into: CloudEvent[]): Promise<() => Promise<void>> {
  const subscription = await transport.subscribe(topic, { group: 'observer', from: 'earliest' })
  const loop = (async () => {
    for await (const delivery of subscription) {
      into.push(delivery.event)
      await delivery.ack()
    }
  })()
  return async () => {
    await subscription.close()
    await loop
  }
}

const orderPattern = JSON.stringify({ source: ['shop.orders'], 'detail-type': ['OrderPlaced'], detail: { total: [{ numeric: ['>', 100] }] } })

describe('the AWS SDK against sepal', () => {
  let dir: string
  let transport: Transport
  let receiver: Awaited<ReturnType<typeof startReceiver>>

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sepal-eventbridge-'))
    transport = createMemoryTransport()
    receiver = await startReceiver()
  })
  afterEach(async () => {
    await receiver.close()
    await transport.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('delivers PutEvents to the targets of a rule made with PutRule and PutTargets: an http URL and a topic', async () => {
    const sepal = await startSepal(transport, dir)
    const published: CloudEvent[] = []
    const stopCollecting = await collect(transport, 'big-orders', published)
    try {
      const rule = await sepal.client.send(new PutRuleCommand({ Name: 'big-orders', EventPattern: orderPattern }))
      expect(rule.RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/big-orders')
      const targets = await sepal.client.send(
        new PutTargetsCommand({
          Rule: 'big-orders',
          Targets: [
            { Id: 'webhook', Arn: receiver.url },
            {
              Id: 'topic',
              Arn: 'sepal:publish:big-orders',
              InputTransformer: { InputPathsMap: { order: '$.detail.orderId', total: '$.detail.total' }, InputTemplate: '{"order": <order>, "total": <total>, "rule": <aws.events.rule-name>}' },
            },
          ],
        }),
      )
      expect(targets.FailedEntryCount).toBe(0)

      const put = await sepal.client.send(
        new PutEventsCommand({
          Entries: [
            { Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'o-1', total: 250 }), Resources: ['arn:shop:order/o-1'], Time: new Date('2026-01-02T03:04:05Z') },
            { Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'o-2', total: 20 }) },
          ],
        }),
      )
      expect(put.FailedEntryCount).toBe(0)
      expect(put.Entries?.map((e) => typeof e.EventId)).toEqual(['string', 'string'])

      await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 5000 })
      await vi.waitFor(() => expect(published).toHaveLength(1), { timeout: 5000 })
      const delivered = JSON.parse(receiver.received[0]?.body ?? '') as Record<string, unknown>
      expect(receiver.received[0]?.contentType).toBe('application/json')
      expect(delivered).toMatchObject({
        id: put.Entries?.[0]?.EventId,
        source: 'shop.orders',
        'detail-type': 'OrderPlaced',
        time: '2026-01-02T03:04:05.000Z',
        resources: ['arn:shop:order/o-1'],
        detail: { orderId: 'o-1', total: 250 },
      })
      expect(published[0]).toMatchObject({ id: put.Entries?.[0]?.EventId, data: { order: 'o-1', total: 250, rule: 'big-orders' } })
    } finally {
      await stopCollecting()
      await sepal.stop()
    }
  })

  it('keeps API rules across a restart and stops delivering while a rule is disabled', async () => {
    const first = await startSepal(transport, dir)
    await first.client.send(new PutRuleCommand({ Name: 'big-orders', EventPattern: orderPattern }))
    await first.client.send(new PutTargetsCommand({ Rule: 'big-orders', Targets: [{ Id: 'webhook', Arn: receiver.url, InputPath: '$.detail' }] }))
    await first.stop()

    const second = await startSepal(transport, dir)
    try {
      expect((await second.client.send(new ListTargetsByRuleCommand({ Rule: 'big-orders' }))).Targets).toEqual([{ Id: 'webhook', Arn: receiver.url, InputPath: '$.detail' }])
      await second.client.send(new DisableRuleCommand({ Name: 'big-orders' }))
      await second.client.send(new PutEventsCommand({ Entries: [{ Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-3","total":300}' }] }))
      // The disabled rule is not in the engine, so this event settles having matched nothing; the next one is delivered.
      await vi.waitFor(() => expect(second.settled()).toBe(1), { timeout: 5000 })
      await second.client.send(new EnableRuleCommand({ Name: 'big-orders' }))
      await second.client.send(new PutEventsCommand({ Entries: [{ Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-4","total":400}' }] }))
      await vi.waitFor(() => expect(receiver.received.map((r) => r.body)).toContain('{"orderId":"o-4","total":400}'), { timeout: 5000 })
      expect(receiver.received.map((r) => r.body)).not.toContain('{"orderId":"o-3","total":300}')
    } finally {
      await second.stop()
    }
  })
})
