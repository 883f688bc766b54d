import type { CloudEvent } from '../../src/event/cloud-event.js'

/** A CloudEvent of about 1 KB in its JSON form, distinct per index: an order with items and shipping. */
export function orderEvent(i: number): CloudEvent {
  return {
    specversion: '1.0',
    id: `order-${i}`,
    source: 'app.orders',
    type: 'OrderPlaced',
    subject: `customer-${i % 977}`,
    time: '2026-12-04T12:00:00.000Z',
    datacontenttype: 'application/json',
    data: {
      orderId: i,
      currency: 'EUR',
      total: 120.5 + (i % 100),
      customer: { id: `c-${i % 977}`, tier: i % 3 === 0 ? 'gold' : 'standard', country: 'NL' },
      items: Array.from({ length: 6 }, (_, n) => ({ sku: `SKU-${(i + n) % 5000}`, quantity: 1 + (n % 3), price: 9.99 + n, note: 'gift wrap, deliver after 5pm' })),
      shipping: { method: 'express', street: 'Keizersgracht 123', city: 'Amsterdam', postcode: '1015 CJ', window: '17:00-21:00' },
      channel: { name: 'web', campaign: 'winter-sale-2026', referrer: 'https://example.com/newsletter/2026-12' },
    },
  }
}
