/**
 * Seeded rule sets and events for the pattern benchmark. Every rule names a source and a detail-type exactly and
 * adds one selective condition on `detail` (numeric range, prefix, wildcard or a single value) plus up to two broad
 * ones (anything-but, lists, numeric bound, suffix, prefix inside an array). Events are ~1 KB EventBridge envelopes;
 * a fixed share of them is built to match some rule and the rest is checked to match none.
 */
import { BROAD_KINDS, SELECTIVE_KINDS, type Condition } from './conditions.js'
import type { BusEvent, Detail } from './event-shape.js'
import { createRandom, type Random } from './random.js'
import {
  CHANNELS, COUNTRIES, CURRENCIES, DETAIL_TYPES, EMAIL_DOMAINS, REGIONS, SOURCES, STATUSES, SUB_RESOURCES, TIERS,
  type Entity,
} from './vocabulary.js'

export interface GeneratedRule {
  readonly id: string
  readonly source: string
  readonly detailType: string
  readonly conditions: readonly Condition[]
  readonly pattern: Record<string, unknown>
}

export interface GeneratedEvents {
  readonly texts: string[]
  /** How many events match at least one rule, by the generator's own reading of its conditions. */
  readonly matching: number
}

export function generateRules(count: number, seed: number): GeneratedRule[] {
  const random = createRandom(seed)
  const rules: GeneratedRule[] = []
  for (let i = 0; i < count; i++) {
    const source = random.pick(SOURCES)
    const { detailType, entity } = random.pick(DETAIL_TYPES)
    const conditions = [random.pickWeighted(SELECTIVE_KINDS)(random, entity)]
    for (const kind of random.sample(BROAD_KINDS, random.int(0, 2))) {
      const condition = kind(random, entity)
      if (!conditions.some((c) => c.path.join('.') === condition.path.join('.'))) conditions.push(condition)
    }
    const detail: Record<string, unknown> = {}
    for (const condition of conditions) setIn(detail, condition.path, condition.filters)
    const id = `rule-${String(i + 1).padStart(5, '0')}`
    rules.push({ id, source, detailType, conditions, pattern: { source: [source], 'detail-type': [detailType], detail } })
  }
  return rules
}

export function generateEvents(rules: readonly GeneratedRule[], count: number, matchingShare: number, seed: number):
  GeneratedEvents {
  const random = createRandom(seed)
  const bySourceAndType = new Map<string, GeneratedRule[]>()
  for (const rule of rules) {
    const key = `${rule.source}\n${rule.detailType}`
    bySourceAndType.set(key, [...(bySourceAndType.get(key) ?? []), rule])
  }
  const matchesAny = (event: BusEvent): boolean =>
    (bySourceAndType.get(`${event.source}\n${event['detail-type']}`) ?? [])
      .some((rule) => rule.conditions.every((c) => c.matches(event.detail)))

  const texts: string[] = []
  let matching = 0
  for (let i = 0; i < count; i++) {
    // Spread the matching events evenly: event i matches when the running quota crosses an integer.
    const shouldMatch = Math.floor((i + 1) * matchingShare) > Math.floor(i * matchingShare)
    let event: BusEvent
    if (shouldMatch && rules.length > 0) {
      const rule = random.pick(rules)
      const entity = DETAIL_TYPES.find((t) => t.detailType === rule.detailType)?.entity ?? DETAIL_TYPES[0]!.entity
      event = randomEvent(random, rule.source, rule.detailType, entity)
      for (const condition of rule.conditions) condition.satisfy(event.detail, random)
      if (!matchesAny(event)) throw new Error(`generator bug: event built for ${rule.id} does not match it`)
      matching++
    } else {
      let tries = 0
      do {
        const { detailType, entity } = random.pick(DETAIL_TYPES)
        event = randomEvent(random, random.pick(SOURCES), detailType, entity)
        if (++tries > 1000) throw new Error('generator cannot find an event that matches no rule; loosen the rules')
      } while (matchesAny(event))
    }
    texts.push(JSON.stringify(event))
  }
  return { texts, matching }
}

function randomEvent(random: Random, source: string, detailType: string, entity: Entity): BusEvent {
  const region = random.pick(REGIONS)
  const id = `${entity.abbreviation}-${random.hex(8)}`
  const name = random.pick(['ada', 'grace', 'alan', 'edsger', 'barbara', 'donald', 'frances', 'ken'])
  const detail: Detail = {
    id,
    amount: random.int(0, 999_999) / 100,
    quantity: random.int(1, 50),
    currency: random.pick(CURRENCIES),
    status: random.pick(STATUSES),
    channel: random.pick(CHANNELS),
    customer: {
      id: `cus-${random.hex(6)}`,
      tier: random.pick(TIERS),
      country: random.pick(COUNTRIES),
      email: `${name}.${random.int(1, 9999)}@${random.pick(EMAIL_DOMAINS)}`,
    },
    path: `/api/v${random.int(1, 3)}/${entity.slug}/${random.hex(6)}/${random.pick(SUB_RESOURCES)}`,
    sourceIp: `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    items: Array.from({ length: random.int(2, 5) }, () => ({
      sku: `SKU-${random.int(1000, 9999)}`,
      quantity: random.int(1, 5),
      price: random.int(100, 99_999) / 100,
    })),
    tags: random.sample(['priority', 'gift', 'b2b', 'first-order', 'subscription', 'promo', 'express'], random.int(0, 3)),
    description: `${entity.name.toLowerCase()} ${id} via ${source}`.padEnd(random.int(160, 320), ' lorem ipsum'),
  }
  return {
    version: '0',
    id: `${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}`,
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: new Date(Date.UTC(2026, 0, 1) + random.int(0, 365 * 86_400) * 1000).toISOString().replace('.000', ''),
    region,
    resources: [`arn:aws:${source.split('.')[2] ?? 'service'}:${region}:123456789012:${entity.slug}/${id}`],
    detail,
  }
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target
  path.forEach((key, index) => {
    if (index === path.length - 1) node[key] = value
    else node = (node[key] ??= {}) as Record<string, unknown>
  })
}
