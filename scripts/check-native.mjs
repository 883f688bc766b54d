#!/usr/bin/env node
// Run by `npm install` (the prepare script) before the build: loads better-sqlite3, the one native
// module sepal needs, and opens an in-memory database. If its compiled binding is missing or broken,
// stop the install here with a message that says what to install, instead of failing later at run time.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

function hint() {
  const lines = [
    'better-sqlite3 is compiled from source on install (no prebuilt binary could be downloaded). It needs:',
    '  - python3, make and a C++ compiler      Debian/Ubuntu: apt-get install -y python3 make g++',
    '  - the headers of this Node.js version  (node-gyp cannot download them without internet access)',
  ]
  const nodedir = process.env.npm_config_nodedir
  if (existsSync('/usr/include/node/node.h') && !nodedir) {
    lines.push('    they are in /usr/include/node here: export npm_config_nodedir=/usr')
  } else if (nodedir) {
    lines.push(`    npm_config_nodedir is '${nodedir}'; it must contain include/node/node.h`)
  }
  lines.push('then rebuild it:  npm rebuild better-sqlite3   (and run npm install again)')
  return lines.join('\n')
}

try {
  const Database = require('better-sqlite3')
  const db = new Database(':memory:')
  const row = db.prepare('select sqlite_version() as version').get()
  db.close()
  if (typeof row?.version !== 'string') throw new Error(`unexpected answer ${JSON.stringify(row)}`)
} catch (error) {
  // The first line says why; the rest (e.g. every path the bindings loader tried) only adds noise.
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]
  process.stderr.write(
    `\nsepal: the native module better-sqlite3 does not load: ${reason}\n${hint()}\n\n`,
  )
  process.exit(1)
}
