import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { recordingIo } from './test-io.js'
import { validateCommand } from './validate.js'

const folder = mkdtempSync(join(tmpdir(), 'sepal-validate-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('sepal validate', () => {
  it('exits 0 and names the rules of a valid file', async () => {
    writeFileSync(join(folder, 'sepal.yaml'), 'rules:\n  - { name: audit, pattern: { source: [app.orders] }, targets: [{ publish: audit }] }\n')
    const io = recordingIo({ cwd: folder })
    expect(await validateCommand.run([], io)).toBe(0)
    expect(io.out()).toBe('sepal.yaml is valid (1 rule: audit)\n')
  })

  it('exits 2 and lists every problem with file:line:column and path', async () => {
    writeFileSync(join(folder, 'bad.yaml'), ['topik: x', 'rules:', '  - name: a', '    pattern: { detail: { n: [{ numeric: [">", "x"] }] } }', '    targets: [{ handler: ./missing.js }]', ''].join('\n'))
    const io = recordingIo({ cwd: folder })
    expect(await validateCommand.run(['bad.yaml'], io)).toBe(2)
    expect(io.err()).toMatch(/^bad\.yaml is invalid \(3 problems\):\n/)
    expect(io.err()).toContain('  bad.yaml:1:1 topik: unknown key "topik"')
    expect(io.err()).toMatch(/ {2}bad\.yaml:4:\d+ rules\[0\]\.pattern\.detail\.n\[0\]/)
    expect(io.err()).toMatch(/ {2}bad\.yaml:5:\d+ rules\[0\]\.targets\[0\]\.handler: write the handler as "module#export"/)
  })

  it('treats a missing handler module as invalid (exit 2) and says where it looked', async () => {
    writeFileSync(join(folder, 'handler.yaml'), 'rules:\n  - { name: a, pattern: { source: [x] }, targets: [{ handler: "./gone.js#run" }] }\n')
    const io = recordingIo({ cwd: folder })
    expect(await validateCommand.run(['handler.yaml', '--json'], io)).toBe(2)
    const result = JSON.parse(io.out()) as { valid: boolean; code: string; problems: { message: string }[] }
    expect(result).toMatchObject({ valid: false, code: 'SEPAL_ERR_HANDLER_NOT_FOUND' })
    expect(result.problems[0]?.message).toContain(join(folder, 'gone.js'))
  })

  it('prints help with exit 0 and rejects an unknown flag with exit 2', async () => {
    const help = recordingIo()
    expect(await validateCommand.run(['--help'], help)).toBe(0)
    expect(help.out()).toContain('Usage: sepal validate')
    const wrong = recordingIo()
    expect(await validateCommand.run(['--strict'], wrong)).toBe(2)
    expect(wrong.err()).toContain("unknown option '--strict'")
  })
})
