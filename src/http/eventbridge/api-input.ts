import { validationError } from './api-error.js'
import { DEFAULT_BUS } from './api-registry.js'

/** A request body of the AWS JSON protocol: an object of named members. */
export type ApiInput = Readonly<Record<string, unknown>>

export function optionalString(input: ApiInput, member: string): string | undefined {
  const value = input[member]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw validationError(`${member} must be a string, got ${typeof value}`)
  return value
}

export function requiredString(input: ApiInput, member: string, pattern?: RegExp): string {
  const value = optionalString(input, member)
  if (value === undefined || value === '') throw validationError(`${member} is required`)
  if (pattern !== undefined && !pattern.test(value)) {
    throw validationError(`${member} ${JSON.stringify(value.slice(0, 100))} must match ${pattern.source}`)
  }
  return value
}

export function optionalArray(input: ApiInput, member: string, min: number, max: number): unknown[] | undefined {
  const value = input[member]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) throw validationError(`${member} must be a list`)
  if (value.length < min || value.length > max) {
    throw validationError(`${member} has ${value.length} members; it takes ${min} to ${max}`)
  }
  return value
}

/** EventBusName may be a name or an event bus ARN (`arn:aws:events:…:event-bus/<name>`). */
export function busName(input: ApiInput, member = 'EventBusName'): string {
  const value = optionalString(input, member)
  if (value === undefined || value === '') return DEFAULT_BUS
  const marker = value.indexOf(':event-bus/')
  return value.startsWith('arn:') && marker >= 0 ? value.slice(marker + ':event-bus/'.length) : value
}

/** Limit and NextToken of the List* operations: NextToken is the offset of the next page. */
export function page<T>(items: readonly T[], input: ApiInput): { items: T[]; nextToken?: string } {
  const limitValue = input['Limit']
  const limit = limitValue === undefined || limitValue === null ? 100 : Number(limitValue)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validationError(`Limit must be an integer from 1 to 100, got ${JSON.stringify(limitValue)}`)
  const token = optionalString(input, 'NextToken')
  const start = token === undefined ? 0 : Number(token)
  if (!Number.isInteger(start) || start < 0) throw validationError(`NextToken ${JSON.stringify(token)} is not one this server gave out`)
  const slice = items.slice(start, start + limit)
  return start + limit < items.length ? { items: slice, nextToken: String(start + limit) } : { items: slice }
}
