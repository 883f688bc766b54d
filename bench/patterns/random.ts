/**
 * A small seeded generator (mulberry32), so the same seed gives the same rules and events on every machine
 * and every contender reads identical inputs across runs.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max]. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  /** One item, chosen with probability proportional to its weight. */
  pickWeighted<T>(items: readonly { readonly weight: number; readonly item: T }[]): T
  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[]
  hex(length: number): string
  chance(probability: number): boolean
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('cannot pick from an empty list')
    return items[int(0, items.length - 1)] as T
  }
  return {
    next,
    int,
    pick,
    sample<T>(items: readonly T[], count: number): T[] {
      const pool = [...items]
      const out: T[] = []
      while (out.length < count && pool.length > 0) out.push(pool.splice(int(0, pool.length - 1), 1)[0] as T)
      return out
    },
    pickWeighted<T>(items: readonly { readonly weight: number; readonly item: T }[]): T {
      let ticket = next() * items.reduce((sum, entry) => sum + entry.weight, 0)
      for (const entry of items) {
        ticket -= entry.weight
        if (ticket < 0) return entry.item
      }
      return pick(items).item
    },
    hex(length: number): string {
      let s = ''
      for (let i = 0; i < length; i++) s += HEX[int(0, 15)]
      return s
    },
    chance: (probability) => next() < probability,
  }
}

const HEX = '0123456789abcdef'
