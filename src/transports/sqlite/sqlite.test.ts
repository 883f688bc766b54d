import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { runTransportSuite } from '../../testing/transport-suite.js'
import { createSqliteTransport } from './sqlite-transport.js'

const directory = mkdtempSync(join(tmpdir(), 'sepal-sqlite-suite-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

// Every call opens another connection to the same file, as another process would.
runTransportSuite('sqlite', { createTransport: () => createSqliteTransport({ directory }) })
