import { appendOnce } from './files.js'

/**
 * OrderPlaced → a confirmation email in the outbox (a real shop would hand it to a mail service here).
 * @param {import('sepal').CloudEvent<{ orderId: string, email: string, total?: number }>} event
 * @param {import('sepal').HandlerContext} ctx
 */
export async function sendOrderConfirmation(event, ctx) {
  const order = event.data
  if (!order?.orderId || !order.email) throw new Error(`order event ${event.id} has no data.orderId or data.email`)
  const written = await appendOnce('outbox.ndjson', {
    eventId: event.id,
    to: order.email,
    subject: `Your order ${order.orderId} is confirmed`,
    body: `Thank you for your order${order.total === undefined ? '' : ` of ${order.total}`}.`,
  })
  ctx.logger.info({ orderId: order.orderId, written }, 'order confirmation queued')
}
