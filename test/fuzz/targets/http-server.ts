import fc from 'fast-check'
import { createEngine } from '../../../src/engine/create-engine.js'
import { createEventBridgeApi } from '../../../src/http/eventbridge/index.js'
import { startHttpServer } from '../../../src/http/server.js'
import { createMemoryTransport } from '../../../src/transports/memory/memory-transport.js'
import { createRecordingTransport } from '../../support/http-recording-transport.js'
import { FuzzFailure, describeThrown } from '../harness/failure.js'
import { httpOutcome } from '../harness/outcome.js'
import type { FuzzTarget } from '../harness/runner.js'
import { eventBridgeCase, eventsCase, webhookCase, type IngressCase } from './http.js'
import { sendableHeaders } from './http-inputs.js'
import { hmacSecret } from './webhooks.js'

// Headers fetch sets itself or refuses to send.
const managedByFetch = new Set(['transfer-encoding', 'content-length', 'connection', 'keep-alive', 'upgrade', 'expect', 'host', 'te', 'trailer'])

const serverCase: fc.Arbitrary<IngressCase> = fc.oneof(
  { arbitrary: eventsCase, weight: 4 },
  { arbitrary: webhookCase, weight: 1 },
  {
    arbitrary: eventBridgeCase.map((c) => ({
      path: '/',
      method: 'POST',
      headers: { 'x-amz-target': c.target, ...(c.contentType === undefined ? {} : { 'content-type': c.contentType }) },
      body: c.body,
    })),
    weight: 2,
  },
)

/**
 * The same requests over real sockets to `startHttpServer` on 127.0.0.1: the node:http direct paths
 * (POST /events without the router, the EventBridge API's serveNode) parse them, not the fetch-API app.
 */
export const httpServerTarget: FuzzTarget<IngressCase> = {
  name: 'http-server',
  input: serverCase,
  // A round trip over loopback costs milliseconds; the parsers behind it get 100 000 cases in process.
  defaultRuns: 10_000,
  async open() {
    const transport = createRecordingTransport()
    const engine = createEngine({ transport: createMemoryTransport(), topic: 'events' })
    const eventBridge = createEventBridgeApi({ engine, transport, topic: 'events', storeFile: ':memory:' })
    const server = await startHttpServer({
      transport,
      port: 0,
      maxEventBytes: 4096,
      maxBatchEvents: 8,
      eventBridge,
      webhooks: [
        { name: 'gh', scheme: 'github', secrets: ['github-secret'] },
        { name: 'bearer', scheme: 'bearer', secrets: ['token-1'] },
        { name: 'hooks', scheme: 'standard-webhooks', secrets: [hmacSecret] },
      ],
    })
    return {
      async check(input) {
        transport.appends.length = 0
        const headers = Object.fromEntries(Object.entries(sendableHeaders(input.headers)).filter(([name]) => !managedByFetch.has(name.toLowerCase())))
        const init: RequestInit = { method: input.method, headers }
        if (input.method !== 'GET') init.body = input.body
        let response: Response
        try {
          // Concatenated, not `new URL(path, base)`: "//events" would otherwise name a host.
          response = await fetch(`${server.url}${input.path}`, init)
        } catch (error) {
          throw new FuzzFailure(`the server dropped the request instead of answering: ${describeThrown(error)}`, { cause: error })
        }
        return httpOutcome(response)
      },
      async close() {
        await server.close()
        eventBridge.close()
        await engine.stop({ drainTimeoutMs: 100 }).catch(() => {})
      },
    }
  },
}
