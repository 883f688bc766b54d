import { updateJson } from './files.js'

/** Stock the shop starts with when stock.json does not exist yet. */
const INITIAL_STOCK = { 'sku-kettle': 10, 'sku-mug': 25, 'sku-teapot': 3 }

/**
 * PaymentCaptured → reserve every item of the order in the stock table (stock.json). Reservations are keyed
 * by order id, so a redelivered event reserves nothing twice; a short item is recorded as a backorder.
 * @param {import('sepal').CloudEvent<{ orderId: string, items: Array<{ sku: string, quantity: number }> }>} event
 * @param {import('sepal').HandlerContext} ctx
 */
export async function reserveInventory(event, ctx) {
  const payment = event.data
  if (!payment?.orderId || !Array.isArray(payment.items)) throw new Error(`payment event ${event.id} has no data.orderId or data.items`)
  const table = await updateJson('stock.json', () => ({ stock: { ...INITIAL_STOCK }, reservations: {} }), (table) => {
    if (table.reservations[payment.orderId]) return table
    const lines = payment.items.map(({ sku, quantity }) => {
      const available = table.stock[sku] ?? 0
      const reserved = Math.min(available, quantity)
      table.stock[sku] = available - reserved
      return { sku, quantity, reserved, backordered: quantity - reserved }
    })
    table.reservations[payment.orderId] = { eventId: event.id, lines }
    return table
  })
  ctx.logger.info({ orderId: payment.orderId, reservation: table.reservations[payment.orderId] }, 'inventory reserved')
}
