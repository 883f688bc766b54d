/** The `detail` every generated event carries, whatever its source: rules may target any of these fields. */
export interface Detail {
  id: string
  amount: number
  quantity: number
  currency: string
  status: string
  channel: string
  customer: { id: string; tier: string; country: string; email: string }
  path: string
  sourceIp: string
  items: { sku: string; quantity: number; price: number }[]
  tags: string[]
  description: string
}

/** An EventBridge-style envelope, the shape EventBridge delivers to rules. */
export interface BusEvent {
  version: '0'
  id: string
  'detail-type': string
  source: string
  account: string
  time: string
  region: string
  resources: string[]
  detail: Detail
}
