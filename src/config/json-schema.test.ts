import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { configJsonSchema, configJsonSchemaText } from './json-schema.js'

describe('the JSON Schema of sepal.yaml', () => {
  it('is committed up to date with the zod schema (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(new URL('../../schema/sepal.schema.json', import.meta.url), 'utf8')
    expect(committed).toBe(configJsonSchemaText())
  })

  it('describes rules with a pattern and targets and forbids unknown top-level keys', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown>; additionalProperties: unknown }
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['transport', 'topic', 'group', 'http', 'rules']))
    expect(schema.additionalProperties).toBe(false)
  })
})
