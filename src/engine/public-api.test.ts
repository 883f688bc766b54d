import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createEngine, createEvent, createMemoryTransport, renderPrometheus, type Handler, type Logger } from '../index.js'

describe('the engine through the public API', () => {
  it('runs the README flow: a rule, a handler returning a follow-up event, a second rule reacting to it', async () => {
    const transport = createMemoryTransport()
    const emails: string[] = []
    const settled: string[] = []
    const onOrder: Handler<{ email: string }> = (event) => [
      createEvent({ source: 'app.mailer', type: 'EmailQueued', data: { to: event.data?.email } }),
    ]
    // A pino logger is a Logger as it is.
    const logger: Logger = pino({ level: 'silent' })
    const engine = createEngine({
      transport,
      from: 'earliest',
      logger,
      hooks: { onSettled: (report) => void settled.push(report.event.type) },
      rules: [
        { name: 'confirm-order', pattern: { source: ['app.orders'], 'detail-type': ['OrderPlaced'] }, targets: [{ kind: 'handler', handler: onOrder }] },
        { name: 'send-email', pattern: { 'detail-type': ['EmailQueued'] }, targets: [{ kind: 'handler', handler: (e) => void emails.push(String((e.data as { to: string }).to)) }] },
      ],
    })
    await engine.start()
    await engine.publish(createEvent({ source: 'app.orders', type: 'OrderPlaced', data: { email: 'ada@example.com' } }))
    await new Promise<void>((resolve) => {
      const poll = (): void => void (settled.length === 2 ? resolve() : setTimeout(poll, 2))
      poll()
    })
    await engine.stop()
    await transport.close()
    expect(emails).toEqual(['ada@example.com'])
    expect(renderPrometheus(engine.metrics)).toContain('sepal_rule_matched_total{rule="send-email"} 1')
  })
})
