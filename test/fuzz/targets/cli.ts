import fc from 'fast-check'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../../src/cli/main.js'
import { recordingIo } from '../../../src/cli/commands/test-io.js'
import { patternObject, eventObject as patternEvent } from '../../../src/pattern/pattern-arbitraries.js'
import { FuzzFailure } from '../harness/failure.js'
import { anyText, textInput } from '../harness/mutate.js'
import { accepted, rejected, type Outcome } from '../harness/outcome.js'
import type { FuzzTarget } from '../harness/runner.js'
import { eventJsonText } from './event-inputs.js'

const files = ['pattern.json', 'event.json', 'sepal.yaml', 'bad.yaml', 'missing.json', '.', 'dir', 'dir/', '/dev/null', '']

const patternArgument = fc.oneof(patternObject.map((p) => JSON.stringify(p)), textInput(patternObject.map((p) => JSON.stringify(p))), fc.constantFrom(...files), anyText)
const eventArgument = fc.oneof(eventJsonText, patternEvent.map((e) => JSON.stringify({ source: 'a', 'detail-type': 't', detail: e })), textInput(eventJsonText), fc.constantFrom(...files), anyText)

/** Loose tokens: flags of every command, their `--flag=value` forms, dashes, values. */
const token = fc.oneof(
  fc.constantFrom('--json', '--explain', '--help', '-h', '--pattern', '--event', '--type', '--source', '--data', '--subject', '--id', '--datacontenttype', '-e', '--extension', '-f', '--file',
    '--topic', '--rule', '--error', '--since', '--rate', '--', '-', '--x', '-z', '--pattern=', '--since=30m', '--since=-1d', '--since=9999999d', '--since=2024-13-01', 'a=b', '=', 'x', '{}', '[]', '"'),
  fc.string({ maxLength: 12 }),
  anyText,
)
const extra = fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.array(token, { minLength: 1, maxLength: 3 }), weight: 1 })

const testPatternArgs = fc
  .record({ pattern: fc.option(patternArgument, { nil: undefined }), event: fc.option(eventArgument, { nil: undefined }), flags: fc.subarray(['--explain', '--json']), extra })
  .map(({ pattern, event, flags, extra: more }) => ['test-pattern', ...(pattern === undefined ? [] : ['--pattern', pattern]), ...(event === undefined ? [] : ['--event', event]), ...flags, ...more])

const validateArgs = fc
  .record({ file: fc.option(fc.oneof(fc.constantFrom(...files), anyText), { nil: undefined }), json: fc.boolean(), extra })
  .map(({ file, json, extra: more }) => ['validate', ...(file === undefined ? [] : [file]), ...(json ? ['--json'] : []), ...more])

const publishArgs = fc
  .record({
    type: fc.option(fc.oneof(fc.constant('OrderPlaced'), anyText), { nil: undefined }),
    source: fc.option(fc.oneof(fc.constant('app.orders'), anyText), { nil: undefined }),
    data: fc.option(fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), anyText), { nil: undefined }),
    extensions: fc.array(fc.oneof(fc.constantFrom('a=b', 'tenant=x', 'Bad=1', '=x', 'a', 'a==', 'id=1', 'specversion=0.3'), anyText), { maxLength: 2 }),
    file: fc.option(fc.constantFrom(...files), { nil: undefined }),
    rest: fc.oneof(fc.constant([]), fc.array(fc.oneof(fc.constantFrom('--subject', '--id', '--datacontenttype', '--json'), anyText), { maxLength: 3 })),
  })
  .map(({ type, source, data, extensions, file, rest }) => [
    'publish',
    ...(type === undefined ? [] : ['--type', type]),
    ...(source === undefined ? [] : ['--source', source]),
    ...(data === undefined ? [] : ['--data', data]),
    ...extensions.flatMap((e) => ['-e', e]),
    ...(file === undefined ? [] : ['--file', file]),
    ...rest,
  ])

const dlqArgs = fc
  .record({ rule: fc.option(anyText, { nil: undefined }), error: fc.option(anyText, { nil: undefined }), since: fc.option(fc.oneof(fc.constantFrom('30m', '12h', '7d', '0d', '-1h', '1y', '2024-01-01', 'now', '1e9d', ''), anyText), { nil: undefined }), json: fc.boolean(), extra })
  .map(({ rule, error, since, json, extra: more }) => ['dlq', 'list', ...(rule === undefined ? [] : ['--rule', rule]), ...(error === undefined ? [] : ['--error', error]), ...(since === undefined ? [] : ['--since', since]), ...(json ? ['--json'] : []), ...more])

const argv = fc.oneof(testPatternArgs, validateArgs, publishArgs, dlqArgs, fc.array(token, { maxLength: 4 }))

/**
 * Keeps every case offline and inside the temp folder: publish only ever goes to a closed port and never reads
 * stdin, no command but the four named ones runs (never `run`), and dlq reads the temp data folder.
 */
export function confine(args: readonly string[], dataDirectory: string): string[] {
  const [command, ...rest] = args
  const allowed = ['test-pattern', 'validate', 'publish', 'dlq']
  if (command === undefined || !allowed.includes(command)) return ['validate', ...args.filter((a) => a !== '-')]
  const safe = rest.filter((a) => a !== '-' && !a.endsWith('=-') && !/^--(url|data-dir|transport)/.test(a) && !(command === 'dlq' && a.startsWith('--data')))
  if (command === 'publish') return ['publish', '--url', 'http://127.0.0.1:1', ...safe]
  if (command === 'dlq') return ['dlq', 'list', '--data', dataDirectory, ...safe.slice(1)]
  return [command, ...safe]
}

const UNEXPECTED = /\b(TypeError|ReferenceError|RangeError|SEPAL_ERR_INTERNAL|Cannot read propert|is not a function|is not iterable|undefined is not)|\n\s+at .+:\d+:\d+/

/** `main(argv, io)` with fake io: exit 0, 1 or 2 and no stack trace or JavaScript error on stderr. */
export const cliTarget: FuzzTarget<string[]> = {
  name: 'cli-arguments',
  input: argv,
  async open() {
    const directory = await mkdtemp(join(tmpdir(), 'sepal-fuzz-cli-'))
    const data = join(directory, 'data')
    await mkdir(join(directory, 'dir'))
    await mkdir(data)
    await writeFile(join(directory, 'pattern.json'), '{"source":["app.orders"]}')
    await writeFile(join(directory, 'event.json'), '{"specversion":"1.0","id":"1","source":"app.orders","type":"T"}')
    await writeFile(join(directory, 'sepal.yaml'), 'rules:\n  - name: r\n    pattern: {source: [app.orders]}\n    targets: [{publish: out}]\n')
    await writeFile(join(directory, 'bad.yaml'), 'rules: [\n')
    return {
      async check(args): Promise<Outcome> {
        const io = recordingIo({ cwd: directory })
        const code = await main(confine(args, data), io)
        const output = io.err() + io.out()
        if (code !== 0 && code !== 1 && code !== 2) throw new FuzzFailure(`exit code ${String(code)}; stderr: ${io.err().slice(0, 500)}`)
        const unexpected = UNEXPECTED.exec(output)
        if (unexpected !== null) throw new FuzzFailure(`the output shows a JavaScript error (${unexpected[0]}): ${output.slice(0, 800)}`)
        return code === 0 ? accepted : rejected(`exit ${code}`)
      },
      close: () => rm(directory, { recursive: true, force: true }),
    }
  },
}
