import { describe, expect, it } from 'vitest'
import { cidrContains, parseCidr, parseIp } from './cidr.js'
import { parseWildcard, wildcardMatches, type Wildcard } from './wildcard.js'

const wildcard = (text: string): Wildcard => parseWildcard(text) as Wildcard

describe('wildcard', () => {
  it('matches stars anywhere, including several', () => {
    expect(wildcardMatches(wildcard('*a*b*'), 'xxaybz')).toBe(true)
    expect(wildcardMatches(wildcard('*a*b*'), 'xxbya')).toBe(false)
    expect(wildcardMatches(wildcard('*'), '')).toBe(true)
    expect(wildcardMatches(wildcard('a*a'), 'a')).toBe(false)
  })
  it('refuses ** and stray backslashes, and accepts \\\\ and \\*', () => {
    expect(typeof parseWildcard('a**')).toBe('string')
    expect(typeof parseWildcard('a\\')).toBe('string')
    expect(wildcard('a\\\\\\*').pieces).toEqual(['a\\*'])
  })
})

describe('cidr', () => {
  it('parses IPv4 and IPv6 forms', () => {
    expect(parseIp('192.168.0.1')?.value).toBe(0xc0a80001n)
    expect(parseIp('::ffff:10.0.0.1')?.value).toBe(0xffff0a000001n)
    expect(parseIp('1::')?.value).toBe(1n << 112n)
    for (const bad of ['1.2.3', '256.0.0.1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', '']) expect(parseIp(bad), bad).toBeUndefined()
  })
  it('contains the first and last address of a block and nothing outside', () => {
    const block = parseCidr('10.0.0.0/30')
    if (typeof block === 'string') throw new Error(block)
    expect(['10.0.0.0', '10.0.0.3'].map((ip) => cidrContains(block, ip))).toEqual([true, true])
    expect(['10.0.0.4', '9.255.255.255'].map((ip) => cidrContains(block, ip))).toEqual([false, false])
  })
  it('refuses masks event-ruler refuses', () => {
    expect(typeof parseCidr('10.0.0.0/32')).toBe('string')
    expect(typeof parseCidr('::/128')).toBe('string')
    expect(typeof parseCidr('10.0.0.0/-1')).toBe('string')
    expect(typeof parseCidr('::/0')).toBe('object')
  })
})
