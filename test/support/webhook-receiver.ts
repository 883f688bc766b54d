// A local webhook receiver for the HTTP target tests and benchmark: records each request, verifies its
// Standard Webhooks signature with the reference library, and answers as the test scripts it.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
  /** True when the standardwebhooks library verified the signature (false when unsigned or wrong). */
  readonly verified: boolean
}

export interface Answer {
  readonly status: number
  readonly headers?: Record<string, string>
}

export interface WebhookReceiver {
  readonly url: string
  readonly received: ReceivedRequest[]
  /** Decides the answer to each request; default 204. */
  answer: (request: ReceivedRequest, index: number) => Answer | Promise<Answer>
  close(): Promise<void>
}

function flat(message: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  return headers
}

export async function startWebhookReceiver(options: { secret?: string; record?: boolean } = {}): Promise<WebhookReceiver> {
  const verifier = options.secret === undefined ? undefined : new Webhook(options.secret)
  const record = options.record ?? true
  let count = 0
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    answer: () => ({ status: 204 }),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const headers = flat(req)
      let verified = false
      if (verifier !== undefined) {
        try {
          verifier.verify(body, headers)
          verified = true
        } catch {
          verified = false
        }
      }
      const request: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers, body, verified }
      if (record) receiver.received.push(request)
      void Promise.resolve(receiver.answer(request, count++)).then((answer) => {
        res.writeHead(answer.status, answer.headers)
        res.end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(receiver, { url: `http://127.0.0.1:${port}` })
}
