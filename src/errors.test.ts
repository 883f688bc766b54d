import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ErrorCodes, PermanentError, SepalError } from './errors.js'

describe('error codes', () => {
  it('lists every code of ErrorCodes in docs/errors.md and no other', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
    const documented = [...doc.matchAll(/^\| (SEPAL_ERR_[A-Z_]+) \|/gm)].map((m) => m[1]).sort()
    expect(documented).toEqual(Object.values(ErrorCodes).sort())
  })

  it('gives every SepalError its code, name and cause', () => {
    const cause = new Error('disk full')
    const error = new PermanentError('cannot deliver', { cause })
    expect(error).toBeInstanceOf(SepalError)
    expect(error.code).toBe('SEPAL_ERR_PERMANENT')
    expect(error.name).toBe('PermanentError')
    expect(error.cause).toBe(cause)
  })
})
