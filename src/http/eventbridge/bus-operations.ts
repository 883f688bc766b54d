import { alreadyExistsError, notFoundError, validationError } from './api-error.js'
import { optionalString, page, requiredString, type ApiInput } from './api-input.js'
import { DEFAULT_BUS, type ApiRegistry } from './api-registry.js'

const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/

export function createEventBus(registry: ApiRegistry, input: ApiInput): { EventBusArn: string } {
  const name = requiredString(input, 'Name', BUS_NAME)
  if (registry.hasBus(name)) throw alreadyExistsError(`event bus ${JSON.stringify(name)} already exists`)
  registry.createBus(name)
  return { EventBusArn: registry.busArn(name) }
}

export function describeEventBus(registry: ApiRegistry, input: ApiInput): { Name: string; Arn: string } {
  const name = optionalString(input, 'Name') ?? DEFAULT_BUS
  if (!registry.hasBus(name)) throw notFoundError(`event bus ${JSON.stringify(name)} does not exist`)
  return { Name: name, Arn: registry.busArn(name) }
}

export function listEventBuses(registry: ApiRegistry, input: ApiInput): Record<string, unknown> {
  const prefix = optionalString(input, 'NamePrefix') ?? ''
  const { items, nextToken } = page(registry.buses().filter((b) => b.startsWith(prefix)), input)
  return { EventBuses: items.map((name) => ({ Name: name, Arn: registry.busArn(name) })), ...(nextToken === undefined ? {} : { NextToken: nextToken }) }
}

/** Deleting a bus deletes its rules; a bus that is not there is already deleted. */
export function deleteEventBus(registry: ApiRegistry, input: ApiInput): Record<string, never> {
  const name = requiredString(input, 'Name', BUS_NAME)
  if (name === DEFAULT_BUS) throw validationError('the default event bus cannot be deleted')
  if (registry.hasBus(name)) registry.deleteBus(name)
  return {}
}
