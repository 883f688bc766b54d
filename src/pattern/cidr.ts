/**
 * IP addresses and CIDR blocks for the `cidr` operator. Addresses are held as bigints (32 bits for IPv4,
 * 128 for IPv6); an IPv4 address never falls inside an IPv6 block or the reverse.
 */
export interface CidrBlock {
  readonly version: 4 | 6
  readonly first: bigint
  readonly last: bigint
}

export interface IpAddress {
  readonly version: 4 | 6
  readonly value: bigint
}

const ipv4Shape = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

function parseIpv4(text: string): bigint | undefined {
  const m = ipv4Shape.exec(text)
  if (m === null) return undefined
  let value = 0n
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i])
    if (octet > 255) return undefined
    value = (value << 8n) | BigInt(octet)
  }
  return value
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groups = (part: string | undefined): number[] | undefined => {
    if (part === undefined || part === '') return []
    const out: number[] = []
    const items = part.split(':')
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? ''
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item)
        if (v4 === undefined) return undefined
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16))
      } else {
        return undefined
      }
    }
    return out
  }
  const head = groups(halves[0])
  const tail = groups(halves[1])
  if (head === undefined || tail === undefined) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  let value = 0n
  for (const group of [...head, ...new Array<number>(missing).fill(0), ...tail]) value = (value << 16n) | BigInt(group)
  return value
}

/** Parses an IPv4 or IPv6 address; undefined when `text` is neither. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text)
  if (v4 !== undefined) return { version: 4, value: v4 }
  if (!text.includes(':')) return undefined
  const v6 = parseIpv6(text)
  return v6 === undefined ? undefined : { version: 6, value: v6 }
}

/** Parses `address/bits`, or returns the reason it is invalid (masks as event-ruler accepts them). */
export function parseCidr(text: string): CidrBlock | string {
  const parts = text.split('/')
  if (parts.length !== 2) return `${JSON.stringify(text)} is not a CIDR block; write it as address/bits, e.g. "10.0.0.0/24"`
  const address = parseIp(parts[0] ?? '')
  if (address === undefined) return `${JSON.stringify(parts[0])} is not an IPv4 or IPv6 address`
  if (!/^\d{1,3}$/.test(parts[1] ?? '')) return `mask ${JSON.stringify(parts[1])} must be a whole number of bits`
  const bits = Number(parts[1])
  const width = address.version === 4 ? 32 : 128
  if (bits >= width) return `mask /${bits} is too long for IPv${address.version}; use at most /${width - 1}`
  const hostBits = BigInt(width - bits)
  const first = (address.value >> hostBits) << hostBits
  return { version: address.version, first, last: first + (1n << hostBits) - 1n }
}

export function cidrContains(block: CidrBlock, text: string): boolean {
  const address = parseIp(text)
  return address !== undefined && address.version === block.version && address.value >= block.first && address.value <= block.last
}
