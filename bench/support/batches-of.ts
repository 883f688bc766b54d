/** `items` cut into consecutive slices of `size` (the last one may be shorter). */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
