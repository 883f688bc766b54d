/**
 * The value sets the generator draws from: an imaginary company's event bus with a few dozen services,
 * each emitting a handful of detail-types, all sharing one `detail` shape so rules can target any field.
 */
export const DOMAINS = [
  'shop', 'billing', 'shipping', 'auth', 'catalog', 'inventory', 'support', 'marketing',
] as const
export const SERVICES = ['orders', 'payments', 'accounts', 'carts', 'returns'] as const

/** `com.<domain>.<service>`: 40 sources. */
export const SOURCES: readonly string[] = DOMAINS.flatMap((d) => SERVICES.map((s) => `com.${d}.${s}`))

export interface Entity {
  readonly name: string
  /** Used as the id prefix (`ord-1a2b3c4d`) and in URL paths. */
  readonly abbreviation: string
  readonly slug: string
}

export const ENTITIES: readonly Entity[] = [
  { name: 'Order', abbreviation: 'ord', slug: 'orders' },
  { name: 'Payment', abbreviation: 'pay', slug: 'payments' },
  { name: 'Customer', abbreviation: 'cus', slug: 'customers' },
  { name: 'Shipment', abbreviation: 'shp', slug: 'shipments' },
]
export const VERBS = ['Created', 'Updated', 'Cancelled'] as const

/** 12 detail-types per source, 480 (source, detail-type) pairs in all. */
export const DETAIL_TYPES: readonly { readonly detailType: string; readonly entity: Entity }[] = ENTITIES.flatMap(
  (entity) => VERBS.map((verb) => ({ detailType: `${entity.name} ${verb}`, entity })),
)

export const STATUSES = [
  'created', 'paid', 'shipped', 'delivered', 'cancelled', 'failed', 'refunded', 'on-hold',
] as const
export const CHANNELS = ['web', 'mobile', 'pos', 'partner-api', 'test-web', 'test-mobile'] as const
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'PLN', 'CAD'] as const
export const TIERS = ['free', 'basic', 'silver', 'gold', 'platinum'] as const
export const COUNTRIES = [
  'DE', 'FR', 'GB', 'US', 'CA', 'ES', 'IT', 'NL', 'BE', 'AT', 'CH', 'SE', 'NO', 'DK', 'FI',
  'PL', 'CZ', 'PT', 'IE', 'JP', 'KR', 'AU', 'NZ', 'BR', 'MX', 'AR', 'IN', 'SG', 'ZA', 'TR',
] as const
export const EMAIL_DOMAINS = [
  'example.com', 'example.org', 'mail.test', 'corp.example', 'shop.example', 'inbox.test',
  'post.example', 'users.example', 'customers.test', 'partners.example',
] as const
export const SUB_RESOURCES = ['items', 'notes', 'events', 'history'] as const
export const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-northeast-1'] as const
