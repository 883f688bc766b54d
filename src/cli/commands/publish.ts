import { text } from 'node:stream/consumers'
import cliProgress from 'cli-progress'
import { ErrorCodes, SepalError } from '../../errors.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { Transport } from '../../transports/contract.js'
import { createTransportFromUrl, redactUrl } from '../../config/transport-registry.js'
import { ExitCode, type CliCommand, type CliIo } from '../command.js'
import { createProgram, parseArguments } from './commander-io.js'
import { eventFromFlags, eventsFromFile, PublishInputError, type EventFlags } from './publish-input.js'
import { chunk, httpSender, SendError, transportSender, type Sender } from './publish-send.js'

const summary = 'publish CloudEvents (from flags or a file) to a running server or into the embedded log'
const DEFAULT_URL = 'http://127.0.0.1:8080'

interface PublishOptions extends EventFlags {
  file?: string
  url?: string
  dataDir?: string
  transport?: string
  topic: string
  json?: boolean
}

/** `sepal publish`: one event from flags, or many from --file; over HTTP (--url) or straight into a transport. */
export const publishCommand: CliCommand = {
  name: 'publish',
  summary,
  async run(argv, io) {
    const program = createProgram('publish', summary, io)
      .option('--type <type>', 'event type, e.g. OrderPlaced (matches "detail-type" in patterns)')
      .option('--source <source>', 'event source, e.g. app.orders')
      .option('--data <json>', 'event data: JSON, or any text')
      .option('--subject <subject>', 'event subject')
      .option('--id <id>', 'event id (default: a random UUID)')
      .option('--datacontenttype <type>', 'media type of --data (default application/json when it is JSON)')
      .option('-e, --extension <name=value>', 'extension attribute; repeat for several', (v: string, all: string[]) => [...all, v], [] as string[])
      .option('-f, --file <path>', 'events to publish: a JSON array (batch), one JSON event, or NDJSON; "-" reads stdin')
      .option('--url <url>', `base URL of a running \`sepal run\` (default ${DEFAULT_URL})`)
      .option('--data-dir <dir>', 'write straight into the embedded log in this folder instead of over HTTP')
      .option('--transport <url>', 'write straight into this transport (e.g. sqlite:./.sepal) instead of over HTTP')
      .option('--topic <topic>', 'topic for --data-dir / --transport', 'events')
      .option('--json', 'print the result as JSON')
      .addHelpText('after', `
Examples:
  sepal publish --type OrderPlaced --source app.orders --data '{"orderId":"o-1"}'
  sepal publish --file events.ndjson --url http://127.0.0.1:8080
  sepal publish --file events.json --data-dir ./.sepal
`)
    const early = parseArguments(program, argv)
    if (early !== undefined) return early
    const options = program.opts<PublishOptions>()
    const destinations = [options.url, options.dataDir, options.transport].filter((d) => d !== undefined)
    if (destinations.length > 1) {
      io.stderr.write('sepal publish: give only one of --url, --data-dir and --transport\n')
      return ExitCode.usage
    }

    let events: CloudEvent[]
    try {
      if (options.file !== undefined && (options.type !== undefined || options.source !== undefined || options.data !== undefined)) {
        throw new PublishInputError('give either --file or the event flags (--type, --source, --data), not both')
      }
      events = options.file === undefined ? [eventFromFlags(options)] : await eventsFromFile(options.file, io.cwd, () => text(process.stdin))
    } catch (error) {
      if (!(error instanceof PublishInputError)) throw error
      io.stderr.write(`sepal publish: ${error.message}\n`)
      return ExitCode.usage
    }

    const transportUrl = options.transport ?? (options.dataDir === undefined ? undefined : `sqlite:${options.dataDir}`)
    let transport: Transport | undefined
    try {
      transport = transportUrl === undefined ? undefined : await createTransportFromUrl(transportUrl, { baseDirectory: io.cwd, dataDirectory: io.cwd })
    } catch (error) {
      if (!(error instanceof SepalError && error.code === ErrorCodes.TRANSPORT_URL_INVALID)) throw error
      io.stderr.write(`sepal publish: ${error.message}\n`)
      return ExitCode.usage
    }
    const target = transportUrl === undefined ? `${options.url ?? DEFAULT_URL}/events` : redactUrl(transportUrl)
    try {
      const send = transport === undefined ? httpSender(options.url ?? DEFAULT_URL) : transportSender(transport, options.topic)
      await sendAll(events, send, io)
    } catch (error) {
      if (!(error instanceof SendError)) throw error
      io.stderr.write(`sepal publish: ${error.message}\n`)
      return ExitCode.failure
    } finally {
      await transport?.close()
    }
    if (options.json === true) io.stdout.write(`${JSON.stringify({ published: events.length, to: target, ids: events.length <= 10 ? events.map((e) => e.id) : undefined })}\n`)
    else io.stdout.write(events.length === 1 ? `published ${events[0]!.id} (${events[0]!.type}) to ${target}\n` : `published ${events.length} events to ${target}\n`)
    return ExitCode.ok
  },
}

/** Progress is shown for long runs on a terminal; a pipe gets only the final line. */
async function sendAll(events: readonly CloudEvent[], send: Sender, io: CliIo): Promise<void> {
  const chunks = chunk(events)
  const showProgress = chunks.length > 1 && io.stderr.isTTY === true
  const bar = showProgress
    ? new cliProgress.SingleBar({ stream: io.stderr as NodeJS.WritableStream, format: 'publishing [{bar}] {value}/{total} events, {eta}s left', hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined
  bar?.start(events.length, 0)
  let sent = 0
  try {
    for (const part of chunks) {
      await send(part)
      sent += part.length
      bar?.update(sent)
    }
  } finally {
    bar?.stop()
  }
}
