import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../main.js'
import { testPatternCommand } from './test-pattern.js'
import { recordingIo } from './test-io.js'

const event = JSON.stringify({ source: 'app.orders', detail: { amount: 50, currency: 'EUR' } })

describe('sepal test-pattern', () => {
  it('exits 0 and says match when the event matches', async () => {
    const io = recordingIo()
    expect(await testPatternCommand.run(['--pattern', '{"source": ["app.orders"]}', '--event', event], io)).toBe(0)
    expect(io.out()).toBe('match\n')
  })

  it('exits 1 on no match and, with --explain, names the failed condition and the actual value', async () => {
    const io = recordingIo()
    const code = await testPatternCommand.run(['--pattern', '{"detail": {"amount": [{"numeric": [">", 100]}]}}', '--event', event, '--explain'], io)
    expect(code).toBe(1)
    expect(io.out()).toContain('no match')
    expect(io.out()).toContain('detail.amount: expected [{"numeric":[">",100]}], got 50')
    expect(io.out()).toContain('/detail/amount')
  })

  it('exits 2 on an invalid pattern and prints the pointer', async () => {
    const io = recordingIo()
    const code = await testPatternCommand.run(['--pattern', '{"detail": {"amount": [{"numeric": 5}]}}', '--event', event], io)
    expect(code).toBe(2)
    expect(io.err()).toContain("/detail/amount/0: 'numeric' needs an array of operator/value pairs")
  })

  it('reads the pattern and the event from files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sepal-test-pattern-'))
    await writeFile(join(dir, 'pattern.json'), '{"detail": {"currency": [{"equals-ignore-case": "eur"}]}}')
    await writeFile(join(dir, 'event.json'), event)
    const io = recordingIo({ cwd: dir })
    expect(await testPatternCommand.run(['--pattern', 'pattern.json', '--event', 'event.json'], io)).toBe(0)
  })

  it('gives a CloudEvent the EventBridge names detail-type and detail', async () => {
    const cloudEvent = JSON.stringify({ specversion: '1.0', id: '1', source: 'app.orders', type: 'OrderPlaced', data: { total: 12 } })
    const io = recordingIo()
    const pattern = '{"source": ["app.orders"], "detail-type": ["OrderPlaced"], "detail": {"total": [12]}}'
    expect(await testPatternCommand.run(['--pattern', pattern, '--event', cloudEvent], io)).toBe(0)
  })

  it('prints JSON with --json', async () => {
    const io = recordingIo()
    expect(await testPatternCommand.run(['--pattern', '{"source": ["x"]}', '--event', event, '--json'], io)).toBe(1)
    expect(JSON.parse(io.out())).toMatchObject({ valid: true, matches: false, failures: [{ path: 'source', actual: ['app.orders'] }] })
  })

  it('exits 2 on a missing flag, an unreadable file or event text that is not JSON', async () => {
    expect(await testPatternCommand.run(['--pattern', '{"a": [1]}'], recordingIo())).toBe(2)
    expect(await testPatternCommand.run(['--pattern', 'no-such-file.json', '--event', event], recordingIo())).toBe(2)
    const io = recordingIo()
    expect(await testPatternCommand.run(['--pattern', '{"a": [1]}', '--event', '{nope'], io)).toBe(2)
    expect(io.err()).toContain('not valid JSON')
  })

  it('shows its options with --help and is listed by sepal --help', async () => {
    const io = recordingIo()
    expect(await testPatternCommand.run(['--help'], io)).toBe(0)
    expect(io.out()).toContain('--pattern <file|json>')
    const top = recordingIo()
    await main(['--help'], top)
    expect(top.out()).toContain('test-pattern')
  })
})
