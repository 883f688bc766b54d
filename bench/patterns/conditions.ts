/**
 * The kinds of condition a generated rule puts on `detail`. Each kind knows the pattern it emits, how to decide
 * by itself whether a detail satisfies it (so the generator can hit a matching share without running any
 * contender), and how to make a detail satisfy it (for the events meant to match).
 */
import type { Detail } from './event-shape.js'
import type { Random } from './random.js'
import { COUNTRIES, CURRENCIES, EMAIL_DOMAINS, TIERS, type Entity } from './vocabulary.js'

export interface Condition {
  /** Path of the field inside `detail`; also where the filters sit in the pattern. */
  readonly path: readonly string[]
  /** The pattern's array for this field (OR of its entries). */
  readonly filters: readonly unknown[]
  matches(detail: Detail): boolean
  satisfy(detail: Detail, random: Random): void
}

type ConditionKind = (random: Random, entity: Entity) => Condition

const AMOUNT_MAX = 10_000

/**
 * Selective kinds: each rule has one, so a random event rarely matches a rule by accident. Weighted so that
 * wildcards are a minority, as in real rule sets where exact values and prefixes dominate; a two-star wildcard
 * is also the costliest form for automaton matchers (event-ruler's README warns about wildcard complexity).
 */
export const SELECTIVE_KINDS: readonly { readonly weight: number; readonly item: ConditionKind }[] = [
  { weight: 30, item: amountRange },
  { weight: 30, item: idPrefix },
  { weight: 25, item: countryIs },
  { weight: 15, item: pathWildcard },
]

function amountRange(random: Random): Condition {
  const low = random.int(0, AMOUNT_MAX - 300)
  const high = low + random.int(20, 200)
  return {
    path: ['amount'],
    filters: [{ numeric: ['>=', low, '<', high] }],
    matches: (d) => d.amount >= low && d.amount < high,
    satisfy: (d, r) => { d.amount = low + r.int(0, (high - low) * 100 - 1) / 100 },
  }
}

function idPrefix(random: Random, entity: Entity): Condition {
  const prefix = `${entity.abbreviation}-${random.hex(2)}`
  return {
    path: ['id'],
    filters: [{ prefix }],
    matches: (d) => d.id.startsWith(prefix),
    satisfy: (d, r) => { d.id = prefix + r.hex(6) },
  }
}

function pathWildcard(random: Random, entity: Entity): Condition {
  const head = random.hex(2)
  const pattern = `/api/*/${entity.slug}/${head}*`
  return {
    path: ['path'],
    filters: [{ wildcard: pattern }],
    // Generated paths are always /api/<version>/<slug>/<hex id>/<sub-resource>.
    matches: (d) => d.path.split('/')[3] === entity.slug && (d.path.split('/')[4] ?? '').startsWith(head),
    satisfy: (d, r) => { d.path = `/api/v${r.int(1, 3)}/${entity.slug}/${head}${r.hex(4)}/items` },
  }
}

function countryIs(random: Random): Condition {
  const country = random.pick(COUNTRIES)
  return {
    path: ['customer', 'country'],
    filters: [country],
    matches: (d) => d.customer.country === country,
    satisfy: (d) => { d.customer.country = country },
  }
}

/** Broad kinds: added to some rules, as real rules narrow by status, channel, tier and so on. */
export const BROAD_KINDS: readonly ConditionKind[] = [
  function quantityAbove(random) {
    const floor = random.int(1, 30)
    return {
      path: ['quantity'],
      filters: [{ numeric: ['>', floor] }],
      matches: (d) => d.quantity > floor,
      satisfy: (d, r) => { d.quantity = r.int(floor + 1, 50) },
    }
  },
  function statusNot() {
    const excluded = ['cancelled', 'failed']
    return {
      path: ['status'],
      filters: [{ 'anything-but': excluded }],
      matches: (d) => !excluded.includes(d.status),
      satisfy: (d, r) => { d.status = r.pick(['created', 'paid', 'shipped', 'delivered']) },
    }
  },
  function channelNotTest() {
    return {
      path: ['channel'],
      filters: [{ 'anything-but': { prefix: 'test-' } }],
      matches: (d) => !d.channel.startsWith('test-'),
      satisfy: (d, r) => { d.channel = r.pick(['web', 'mobile', 'pos', 'partner-api']) },
    }
  },
  function tierIn(random) {
    const tiers = random.sample(TIERS, random.int(1, 2))
    return {
      path: ['customer', 'tier'],
      filters: tiers,
      matches: (d) => tiers.includes(d.customer.tier as (typeof TIERS)[number]),
      satisfy: (d, r) => { d.customer.tier = r.pick(tiers) },
    }
  },
  function emailDomain(random) {
    const domain = random.pick(EMAIL_DOMAINS)
    return {
      path: ['customer', 'email'],
      filters: [{ suffix: `@${domain}` }],
      matches: (d) => d.customer.email.endsWith(`@${domain}`),
      satisfy: (d) => { d.customer.email = `${d.customer.email.split('@')[0] ?? 'someone'}@${domain}` },
    }
  },
  function currencyIn(random) {
    const currencies = random.sample(CURRENCIES, random.int(1, 3))
    return {
      path: ['currency'],
      filters: currencies,
      matches: (d) => currencies.includes(d.currency as (typeof CURRENCIES)[number]),
      satisfy: (d, r) => { d.currency = r.pick(currencies) },
    }
  },
  function skuPrefix(random) {
    // `items` is an array of objects: the condition holds when any element's sku matches.
    const prefix = `SKU-${random.int(1, 9)}${random.int(0, 9)}`
    return {
      path: ['items', 'sku'],
      filters: [{ prefix }],
      matches: (d) => d.items.some((item) => item.sku.startsWith(prefix)),
      satisfy: (d, r) => {
        const item = r.pick(d.items)
        item.sku = `${prefix}${r.int(10, 99)}`
      },
    }
  },
]
