import { describe, expect, it } from 'vitest'
import { createMemoryTransport } from '../../transports/memory/memory-transport.js'
import { createHttpApp } from '../create-http-app.js'
import { createEventBridgeApi } from './create-eventbridge-api.js'

describe('PutEvents with a Time past the range of a JavaScript Date', () => {
  it('fails that entry as invalid instead of answering 500', async () => {
    const transport = createMemoryTransport()
    const api = createEventBridgeApi({ engine: { addRule() {}, removeRule: () => false }, transport, topic: 'events', storeFile: ':memory:' })
    const app = createHttpApp({ transport, eventBridge: api })
    const body = { Entries: [{ Source: 's', DetailType: 't', Detail: '{}', Time: 8_640_000_000_000.001 }, { Source: 's', DetailType: 't', Detail: '{}', Time: 1767323045 }] }
    const response = await app.request('/', {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify(body),
    })
    expect(response.status).toBe(200)
    const output = (await response.json()) as { FailedEntryCount: number; Entries: { ErrorCode?: string; EventId?: string }[] }
    expect(output.FailedEntryCount).toBe(1)
    expect(output.Entries[0]?.ErrorCode).toBeDefined()
    expect(output.Entries[1]?.EventId).toBeDefined()
    api.close()
  })
})
