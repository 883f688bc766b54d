import { isIPv4, isIPv6 } from 'node:net'

/** Why an address is refused as an HTTP target destination; undefined when it is a public address. */
export type RefusedAddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared (CGNAT)'
  | 'multicast'
  | 'reserved'
  | 'metadata'

type Range4 = readonly [number, number, RefusedAddressClass]

function v4(text: string): number {
  const parts = text.split('.').map(Number)
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0
}

function range(cidr: string, kind: RefusedAddressClass): Range4 {
  const [base = '', bits = '32'] = cidr.split('/')
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0
  return [(v4(base) & mask) >>> 0, mask, kind]
}

// The metadata address comes first so it is named as such rather than as link-local.
const IPV4_RANGES: readonly Range4[] = [
  range('169.254.169.254/32', 'metadata'),
  range('0.0.0.0/8', 'unspecified'),
  range('127.0.0.0/8', 'loopback'),
  range('10.0.0.0/8', 'private'),
  range('172.16.0.0/12', 'private'),
  range('192.168.0.0/16', 'private'),
  range('169.254.0.0/16', 'link-local'),
  range('100.64.0.0/10', 'shared (CGNAT)'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
]

function classifyV4(value: number): RefusedAddressClass | undefined {
  for (const [base, mask, kind] of IPV4_RANGES) if ((value & mask) >>> 0 === base) return kind
  return undefined
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part becomes two groups). */
function groups6(text: string): number[] {
  let address = text.split('%')[0] ?? ''
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  if (dotted?.[1] !== undefined) {
    const value = v4(dotted[1])
    address = `${address.slice(0, dotted.index)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`
  }
  const [head = '', tail] = address.split('::')
  const left = head === '' ? [] : head.split(':').map((g) => parseInt(g, 16))
  const right = tail === undefined || tail === '' ? [] : tail.split(':').map((g) => parseInt(g, 16))
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length
  return [...left, ...new Array<number>(zeros).fill(0), ...right]
}

function embeddedV4(g: readonly number[], at: number): number {
  return ((((g[at] ?? 0) << 16) | (g[at + 1] ?? 0)) >>> 0)
}

function classifyV6(text: string): RefusedAddressClass | undefined {
  const g = groups6(text)
  const first = g[0] ?? 0
  const upperZero = g.slice(0, 5).every((x) => x === 0)
  if (upperZero && g[5] === 0xffff) return classifyV4(embeddedV4(g, 6)) // IPv4-mapped ::ffff:a.b.c.d
  if (first === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(embeddedV4(g, 6)) // NAT64
  if (first === 0x2002) return classifyV4(embeddedV4(g, 1)) // 6to4 carries the IPv4 address after the prefix
  if (g.every((x) => x === 0)) return 'unspecified'
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback'
  if (upperZero && g[5] === 0) return classifyV4(embeddedV4(g, 6)) ?? 'reserved' // deprecated IPv4-compatible ::a.b.c.d
  if (first === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) return 'metadata'
  if ((first & 0xfe00) === 0xfc00) return 'private'
  if ((first & 0xffc0) === 0xfe80) return 'link-local'
  if ((first & 0xffc0) === 0xfec0) return 'private' // deprecated site-local
  if ((first & 0xff00) === 0xff00) return 'multicast'
  return undefined
}

/**
 * Classifies a resolved address: loopback, private, link-local, CGNAT, unspecified, multicast, reserved and
 * cloud metadata addresses (also in their IPv4-mapped, NAT64 and 6to4 IPv6 forms) are refused.
 * Anything that is not an IP address is refused as 'reserved' so a surprise never slips through.
 */
export function refusedAddressClass(address: string): RefusedAddressClass | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  if (isIPv4(bare)) return classifyV4(v4(bare))
  if (isIPv6(bare)) return classifyV6(bare)
  return 'reserved'
}
