import { z } from 'zod'
import { configSchema } from './schema.js'

/**
 * The JSON Schema of sepal.yaml, generated from the zod schema so the two cannot drift.
 * `npm run schema` writes it to schema/sepal.schema.json; a test checks the committed file is current.
 * Editors pick it up with `# yaml-language-server: $schema=./node_modules/sepal/schema/sepal.schema.json`.
 */
export function configJsonSchema(): Record<string, unknown> {
  // `input`: what a person may write (defaults make fields optional), not what the loader returns.
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' })
  return { ...schema, title: 'sepal.yaml' }
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`
}
