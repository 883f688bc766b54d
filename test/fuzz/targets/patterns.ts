import fc from 'fast-check'
import { compilePattern } from '../../../src/pattern/compile-pattern.js'
import { eventObject as patternEventObject, patternObject } from '../../../src/pattern/pattern-arbitraries.js'
import { FuzzFailure } from '../harness/failure.js'
import { anyText, deepJson, perturbed, textInput } from '../harness/mutate.js'
import { accepted, codeOf, rejected, type Outcome } from '../harness/outcome.js'
import type { FuzzTarget } from '../harness/runner.js'
import { eventObject as cloudEventObject } from './event-inputs.js'

const operators = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr', 'exactly', 'unknown-op', '']
const operatorArgument = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('*', '**', 'a*b*c*d*e*f*g', '\\*', '', '10.0.0.0/8', '::/0', '1.2.3.4/33', 'ffff::/129', '300.1.1.1/8'),
  fc.constantFrom(['<', 1], ['>=', 0, '<', 1e308], ['=', Number.MAX_VALUE], ['<', 1, '<', 2], ['>', 'x'], ['!', 1], []),
  fc.constantFrom({ prefix: 'a' }, { suffix: ['a'] }, { 'equals-ignore-case': 'A' }, { wildcard: 'a*' }, { prefix: { prefix: 'a' } }),
)
/** Operator objects with arguments of any kind: the part of a pattern with the most rules. */
const operatorPattern = fc
  .tuple(fc.constantFrom('source', 'detail.a', 'detail', 'a'), fc.array(fc.oneof(fc.record({ op: fc.constantFrom(...operators), arg: operatorArgument }).map(({ op, arg }) => ({ [op]: arg })), fc.jsonValue({ maxDepth: 1 })), { maxLength: 3 }))
  .map(([field, values]) => ({ [field]: values }))

const structuredPattern: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  patternObject,
  operatorPattern,
  perturbed(patternObject, ['a', 'b', 'c', 'a.b', '$or', 'source']),
  fc.array(patternObject, { minLength: 1, maxLength: 3 }).map((alternatives) => ({ $or: alternatives })),
)

const patternInput: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: structuredPattern, weight: 5 },
  { arbitrary: textInput(structuredPattern.map((p) => JSON.stringify(p))), weight: 4 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  { arbitrary: deepJson, weight: 1 },
  { arbitrary: deepJson.map((text) => JSON.parse(text) as unknown), weight: 1 },
  { arbitrary: anyText, weight: 1 },
)

/** Events a matcher may be handed: pattern-vocabulary objects, CloudEvents, any JSON, text and deep nesting. */
const matchEvent: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: patternEventObject, weight: 4 },
  { arbitrary: cloudEventObject, weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 1 },
  { arbitrary: textInput(patternEventObject.map((e) => JSON.stringify(e))), weight: 2 },
  { arbitrary: deepJson, weight: 1 },
  { arbitrary: deepJson.map((text) => JSON.parse(text) as unknown), weight: 1 },
  { arbitrary: fc.constantFrom(undefined, null, 1, 'x', [], () => 1, Symbol('s'), new Map(), Object.create(null) as object), weight: 1 },
)

function matchAll(pattern: { matches(event: unknown): boolean }, events: readonly unknown[]): void {
  for (const event of events) {
    const result = pattern.matches(event)
    if (typeof result !== 'boolean') throw new FuzzFailure(`matches() returned ${String(result)}, not a boolean`)
  }
}

/** `compilePattern` on arbitrary JSON, text and objects; an accepted pattern is then run over a few events. */
export const compilePatternTarget: FuzzTarget<{ pattern: unknown; events: unknown[] }> = {
  name: 'pattern-compile',
  input: fc.record({ pattern: patternInput, events: fc.array(matchEvent, { maxLength: 3 }) }),
  open: async () => ({
    async check({ pattern, events }): Promise<Outcome> {
      let compiled
      try {
        compiled = compilePattern(pattern)
      } catch (error) {
        return rejected(codeOf(error))
      }
      matchAll(compiled, events)
      return accepted
    },
    close: async () => {},
  }),
}

/** `matches` of a valid pattern on arbitrary events: it must never throw and always answer a boolean. */
export const matchTarget: FuzzTarget<{ pattern: Record<string, unknown>; events: unknown[] }> = {
  name: 'pattern-match',
  input: fc.record({ pattern: fc.oneof(patternObject, operatorPattern), events: fc.array(matchEvent, { minLength: 1, maxLength: 4 }) }),
  open: async () => ({
    async check({ pattern, events }): Promise<Outcome> {
      let compiled
      try {
        compiled = compilePattern(pattern)
      } catch (error) {
        return rejected(`pattern ${codeOf(error)}`)
      }
      let matched = 0
      for (const event of events) if (compiled.matches(event) === true) matched++
      matchAll(compiled, events)
      return matched > 0 ? accepted : rejected('no match')
    },
    close: async () => {},
  }),
}
