import { describe, expect, it } from 'vitest'
import { ErrorCodes } from '../src/errors.js'
import { compileInputTransformer, type InputTransformerTarget } from '../src/transform/index.js'

// The example event of the EventBridge user guide, "Amazon EventBridge input transformation".
const ec2Event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
}
const guidePaths = { instance: '$.detail.instance-id', state: '$.detail.state' }
const rule = { ruleName: 'example', ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example' }

function transform(InputTemplate: string, InputPathsMap: Record<string, string> = guidePaths, event: object = ec2Event): string | undefined {
  return compileInputTransformer({ InputTransformer: { InputPathsMap, InputTemplate } }).apply(event, rule)
}

function compileError(target: InputTransformerTarget): unknown {
  try {
    compileInputTransformer(target)
  } catch (error) {
    return error
  }
  return undefined
}

describe('the input transformation guide examples', () => {
  it('fills a simple string template', () => {
    expect(transform('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"')
  })

  it('keeps escaped quotes of a string template', () => {
    expect(transform('"instance \\"<instance>\\" is in <state>"')).toBe('"instance \\"i-0123456789\\" is in RUNNING"')
  })

  it('quotes string values of unquoted placeholders in a simple JSON template', () => {
    expect(JSON.parse(transform('{\n  "instance" : <instance>,\n  "state": <state>\n}') ?? '')).toEqual({ instance: 'i-0123456789', state: 'RUNNING' })
  })

  it('mixes variables and static information in a JSON template', () => {
    const out = transform('{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}')
    expect(JSON.parse(out ?? '')).toEqual({ instance: 'i-0123456789', state: [9, 'RUNNING', true], Transformed: 'Yes' })
  })

  it('fills quoted placeholders and placeholders inside a longer string of a JSON template', () => {
    const out = transform('{"instance": <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}')
    expect(JSON.parse(out ?? '')).toEqual({ instance: 'i-0123456789', state: 'RUNNING', instanceStatus: 'instance "i-0123456789" is in RUNNING' })
  })

  it('includes the reserved variables in JSON: rule ARN, rule name and the event without its detail', () => {
    const out = JSON.parse(
      transform('{"instance": <instance>, "state": <state>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event>}') ?? '',
    )
    const { detail: _detail, ...withoutDetail } = ec2Event
    expect(out).toEqual({ instance: 'i-0123456789', state: 'RUNNING', ruleArn: rule.ruleArn, ruleName: 'example', originalEvent: withoutDetail })
  })

  it('includes the whole event, detail and all, with aws.events.event.json', () => {
    expect(JSON.parse(transform('{"event": <aws.events.event.json>}') ?? '')).toEqual({ event: ec2Event })
  })

  it('includes reserved variables in a string', () => {
    expect(transform('"<aws.events.rule-name> triggered"')).toBe('"example triggered"')
  })

  it('fills the ingestion time from the context, or now', () => {
    const t = compileInputTransformer({ InputTransformer: { InputTemplate: '{"at": <aws.events.event.ingestion-time>}' } })
    expect(t.apply(ec2Event, { ingestionTime: '2026-01-02T03:04:05Z' })).toBe('{"at":"2026-01-02T03:04:05Z"}')
    expect(Date.parse((JSON.parse(t.apply(ec2Event) ?? '') as { at: string }).at)).not.toBeNaN()
  })

  it('fills a plain text template (the API reference example) with raw values', () => {
    expect(transform('<instance> is in state <state>')).toBe('i-0123456789 is in state RUNNING')
  })

  it('passes the JSON on minified', () => {
    expect(transform('{\n  "instance" : <instance>\n}')).toBe('{"instance":"i-0123456789"}')
  })
})

describe('the common issues with transforming input', () => {
  it('leaves a variable whose path is missing empty in a string and null as a JSON value', () => {
    const paths = { ...guidePaths, zone: '$.detail.zone' }
    expect(transform('"in <zone>."', paths)).toBe('"in ."')
    expect(transform('{"zone": <zone>, "text": "in <zone>"}', paths)).toBe('{"zone":null,"text":"in "}')
    expect(transform('zone <zone>', paths)).toBe('zone ')
  })

  it('puts objects and arrays in as JSON when unquoted', () => {
    const paths = { detail: '$.detail', resources: '$.resources' }
    expect(JSON.parse(transform('{"d": <detail>, "r": <resources>}', paths) ?? '')).toEqual({ d: ec2Event.detail, r: ec2Event.resources })
  })

  it('removes the inner quotes of an object or array inside a string', () => {
    expect(transform('"Body is <detail>"', { detail: '$.detail' })).toBe('"Body is {instance-id:i-0123456789,state:RUNNING}"')
    expect(transform('{"text": "r=<r>"}', { r: '$.resources' })).toBe('{"text":"r=[arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111]"}')
  })

  it('keeps numbers, booleans and null as JSON values, and as their text inside strings', () => {
    const event = { detail: { n: 4.5, ok: false, none: null } }
    const paths = { n: '$.detail.n', ok: '$.detail.ok', none: '$.detail.none' }
    expect(transform('{"n": <n>, "ok": <ok>, "none": <none>}', paths, event)).toBe('{"n":4.5,"ok":false,"none":null}')
    expect(transform('"<n> <ok> <none>"', paths, event)).toBe('"4.5 false null"')
  })

  it('escapes quotes and backslashes of values put inside strings so the output stays valid JSON', () => {
    const out = transform('{"msg": "said <q>"}', { q: '$.detail.q' }, { detail: { q: 'a "b" \\c' } })
    expect(JSON.parse(out ?? '')).toEqual({ msg: 'said a "b" \\c' })
  })

  it('writes multi-line text as one quoted string per line', () => {
    expect(transform('"When: <state>"\n""\n"Who: <instance>"')).toBe('"When: RUNNING"\n""\n"Who: i-0123456789"')
  })

  it('selects array elements by index and several values with a wildcard', () => {
    expect(transform('{"first": <r>}', { r: '$.resources[0]' })).toBe(`{"first":"${ec2Event.resources[0]}"}`)
    expect(transform('{"all": <v>}', { v: '$.detail.*' })).toBe('{"all":["i-0123456789","RUNNING"]}')
  })
})

describe('InputPath and no transformation', () => {
  it('sends the part of the event an InputPath selects', () => {
    expect(compileInputTransformer({ InputPath: '$.detail' }).apply(ec2Event)).toBe(JSON.stringify(ec2Event.detail))
    expect(compileInputTransformer({ InputPath: '$' }).apply(ec2Event)).toBe(JSON.stringify(ec2Event))
  })

  it('delivers nothing when the InputPath selects nothing', () => {
    expect(compileInputTransformer({ InputPath: '$.detail.missing' }).apply(ec2Event)).toBeUndefined()
  })

  it('sends the whole event without InputPath or InputTransformer, and a constant Input as it is', () => {
    expect(compileInputTransformer({}).apply(ec2Event)).toBe(JSON.stringify(ec2Event))
    expect(compileInputTransformer({ Input: '{"fixed":true}' }).apply(ec2Event)).toBe('{"fixed":true}')
  })
})

describe('mistakes are caught at compile time with SEPAL_ERR_TRANSFORM_INVALID', () => {
  const cases: [string, InputTransformerTarget][] = [
    ['an undefined placeholder', { InputTransformer: { InputPathsMap: guidePaths, InputTemplate: '"<instance> in <zone>"' } }],
    ['both InputPath and InputTransformer', { InputPath: '$.detail', InputTransformer: { InputTemplate: '"x"' } }],
    ['a path not starting with $', { InputPath: 'detail.state' }],
    ['bracket notation for a name', { InputTransformer: { InputPathsMap: { a: "$['detail']" }, InputTemplate: '<a>' } }],
    ['a path with an empty step', { InputTransformer: { InputPathsMap: { a: '$.detail..state' }, InputTemplate: '<a>' } }],
    ['a key starting with AWS.', { InputTransformer: { InputPathsMap: { 'AWS.mine': '$.id' }, InputTemplate: '<AWS.mine>' } }],
    ['a key with a space', { InputTransformer: { InputPathsMap: { 'my key': '$.id' }, InputTemplate: '"x"' } }],
    ['a JSON template that is not JSON', { InputTransformer: { InputPathsMap: guidePaths, InputTemplate: '{"instance": <instance>' } }],
    ['a placeholder as an object key', { InputTransformer: { InputPathsMap: guidePaths, InputTemplate: '{<instance>: 1}' } }],
    ['a quoted placeholder as an object key', { InputTransformer: { InputPathsMap: guidePaths, InputTemplate: '{"<instance>": 1}' } }],
    ['a string template with a bare quote inside', { InputTransformer: { InputPathsMap: guidePaths, InputTemplate: '"say "<instance>""' } }],
    ['a whole event inside a string', { InputTransformer: { InputTemplate: '{"e": "event <aws.events.event>"}' } }],
    ['an empty template', { InputTransformer: { InputTemplate: '' } }],
    ['a constant Input that is not JSON', { Input: 'hello' }],
  ]
  it.each(cases)('rejects %s', (_what, target) => {
    expect(compileError(target)).toMatchObject({ code: ErrorCodes.TRANSFORM_INVALID, name: 'TransformError' })
  })

  it('rejects more than 100 variables and accepts exactly 100', () => {
    const map = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, `$.detail.k${i}`]))
    expect(compileError({ InputTransformer: { InputPathsMap: map(101), InputTemplate: '"x"' } })).toMatchObject({ code: ErrorCodes.TRANSFORM_INVALID })
    expect(compileError({ InputTransformer: { InputPathsMap: map(100), InputTemplate: '"x"' } })).toBeUndefined()
  })

  it('says which placeholder is undefined and what the map defines', () => {
    expect(compileError({ InputTransformer: { InputPathsMap: guidePaths, InputTemplate: '"<zone>"' } })).toHaveProperty(
      'message',
      expect.stringMatching(/<zone>.*<instance>, <state>/),
    )
  })
})

describe('output validity', () => {
  it('a JSON template gives valid JSON whatever the values, quoted or not', async () => {
    const fc = await import('fast-check')
    const t = compileInputTransformer({
      InputTransformer: {
        InputPathsMap: { a: '$.detail.a', b: '$.detail.b' },
        InputTemplate: '{"bare": <a>, "quoted": "<a>", "text": "a=<a>, b=<b>", "list": [<b>, "<b>"], "event": <aws.events.event.json>}',
      },
    })
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const out = t.apply({ detail: { a, b } }, rule)
        expect(() => JSON.parse(out ?? '')).not.toThrow()
      }),
      { numRuns: 300 },
    )
  })

  it('a string template gives quoted strings whatever the values', async () => {
    const fc = await import('fast-check')
    const t = compileInputTransformer({ InputTransformer: { InputPathsMap: { a: '$.detail.a' }, InputTemplate: '"value: <a>"\n"again: \\"<a>\\""' } })
    fc.assert(
      fc.property(fc.jsonValue(), (a) => {
        const lines = (t.apply({ detail: { a } }) ?? '').split('\n')
        expect(lines).toHaveLength(2)
        for (const line of lines) expect(typeof JSON.parse(line)).toBe('string')
      }),
      { numRuns: 300 },
    )
  })
})
