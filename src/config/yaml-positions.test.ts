import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ErrorCodes } from '../errors.js'
import { loadConfig } from './load-config.js'
import { parseYamlWithPositions } from './yaml-positions.js'

// Each level repeats the previous alias nine times: 9^4 nodes from a few lines ("billion laughs").
const aliasBomb = [
  'a: &a [1, 2]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  '',
].join('\n')

describe('parseYamlWithPositions', () => {
  it('reports an alias bomb as a problem of the document instead of throwing', () => {
    const document = parseYamlWithPositions(aliasBomb)
    expect(document.value).toBeUndefined()
    expect(document.errors[0]?.message).toMatch(/alias/i)
  })
})

describe('loadConfig on an alias bomb', () => {
  it('rejects the file with a ConfigError', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sepal-yaml-'))
    try {
      await writeFile(join(directory, 'sepal.yaml'), aliasBomb)
      await expect(loadConfig('sepal.yaml', { cwd: directory, resolveHandlers: false })).rejects.toMatchObject({ code: ErrorCodes.CONFIG_INVALID })
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  })
})
