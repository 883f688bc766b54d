// Regenerates schema/sepal.schema.json from the zod schema in src/config/schema.ts (`npm run schema`).
import { writeFileSync } from 'node:fs'
import { configJsonSchemaText } from '../src/config/json-schema.js'

const target = new URL('../schema/sepal.schema.json', import.meta.url)
writeFileSync(target, configJsonSchemaText())
process.stdout.write(`wrote ${target.pathname.split('/').slice(-2).join('/')}\n`)
