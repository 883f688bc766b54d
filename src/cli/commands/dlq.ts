import { resolve } from 'node:path'
import { CommanderError } from 'commander'
import { DEAD_LETTERS_FILE } from '../../config/delivery-stores.js'
import { createTransportFromUrl } from '../../config/transport-registry.js'
import { fromDeadLetter } from '../../delivery/dead-letter.js'
import type { DeadLetterEntry, DeadLetterStore } from '../../delivery/dead-letter-store.js'
import { createSqliteDeadLetterStore } from '../../stores/sqlite-dead-letters.js'
import { ExitCode, type CliCommand, type CliIo } from '../command.js'
import { parseRate, toFilter, withFilters, type FilterFlags } from '../dlq/filters.js'
import { startProgress } from '../dlq/progress.js'
import { createProgram } from './commander-io.js'

const summary = 'list, show, redrive and purge dead letters of the embedded setup'

/** The file the engine's embedded setup writes dead letters to, inside its data directory. */
export function deadLetterPath(dataDirectory: string): string {
  return resolve(dataDirectory, DEAD_LETTERS_FILE)
}

interface RedriveFlags extends FilterFlags {
  rate?: number
  dryRun?: boolean
  to?: string
  transport?: string
}

/** `sepal dlq list|show|redrive|purge`. */
export const dlqCommand: CliCommand = {
  name: 'dlq',
  summary,
  async run(argv, io) {
    let exit: number = ExitCode.ok
    const open = (flags: FilterFlags) => createSqliteDeadLetterStore({ path: deadLetterPath(resolve(io.cwd, flags.data)) })
    const program = createProgram('dlq', summary, io)

    withFilters(program.command('list').description('list dead letters, oldest first')).action(async (flags: FilterFlags) => {
      await using store = disposable(open(flags))
      const entries = await store.list(toFilter(flags, Date.now()))
      io.stdout.write(flags.json ? `${JSON.stringify(entries.map(summarise))}\n` : formatTable(entries))
    })

    withFilters(program.command('show').argument('<id>', 'the entry number or the event id').description('show dead letters in full')).action(
      async (id: string, flags: FilterFlags) => {
        await using store = disposable(open(flags))
        const entries = await store.list({ ...toFilter(flags, Date.now()), id })
        if (entries.length === 0) {
          io.stderr.write(`no dead letter with entry number or event id ${JSON.stringify(id)}; run \`sepal dlq list\` to see them\n`)
          exit = ExitCode.failure
          return
        }
        io.stdout.write(flags.json ? `${JSON.stringify(entries)}\n` : entries.map((e) => `${JSON.stringify(e, null, 2)}\n`).join(''))
      },
    )

    withFilters(program.command('redrive').description('publish dead letters again (same event id) and remove each once published'))
      .option('--rate <n>', 'at most this many events per second, e.g. 50 or 50/s', parseRate)
      .option('--dry-run', 'only say what would be redriven')
      .option('--to <topic>', 'publish to this topic instead of the one each event came from')
      .option('--transport <url>', 'the transport to publish through (default: the embedded log in --data)')
      .action(async (flags: RedriveFlags) => {
        exit = await redrive(io, open(flags), flags)
      })

    withFilters(program.command('purge').description('delete dead letters for good')).action(async (flags: FilterFlags) => {
      await using store = disposable(open(flags))
      const entries = await store.list(toFilter(flags, Date.now()))
      const progress = startProgress(io, 'purging', entries.length)
      let removed = 0
      for (const entry of entries) {
        if (await store.remove(entry.seq)) removed++
        progress.tick()
      }
      progress.stop()
      io.stdout.write(flags.json ? `${JSON.stringify({ purged: removed })}\n` : `purged ${removed} dead ${removed === 1 ? 'letter' : 'letters'}\n`)
    })

    try {
      await program.parseAsync([...argv], { from: 'user' })
      return exit
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error
      // Our own flag checks throw CommanderError too; commander prints only the errors it raised itself.
      if (error.code === 'sepal.invalidArgument') io.stderr.write(`${error.message}\n`)
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? ExitCode.ok : ExitCode.usage
    }
  },
}

async function redrive(io: CliIo, store: DeadLetterStore, flags: RedriveFlags): Promise<number> {
  await using owned = disposable(store)
  const entries = await owned.list(toFilter(flags, Date.now()))
  if (flags.dryRun) {
    io.stdout.write(
      flags.json
        ? `${JSON.stringify({ dryRun: true, wouldRedrive: entries.map(summarise) })}\n`
        : `${entries.length} dead ${entries.length === 1 ? 'letter' : 'letters'} would be redriven\n${formatTable(entries)}`,
    )
    return ExitCode.ok
  }
  const dataDirectory = resolve(io.cwd, flags.data)
  const transport = await createTransportFromUrl(flags.transport ?? 'sqlite:', { baseDirectory: io.cwd, dataDirectory })
  const progress = startProgress(io, 'redriving', entries.length)
  const started = Date.now()
  let redriven = 0
  try {
    for (const [index, entry] of entries.entries()) {
      if (flags.rate !== undefined) await pace(started, index, flags.rate)
      // Publish first, remove after: a crash in between leaves a duplicate (which idempotency absorbs),
      // never a lost event.
      await transport.publish(flags.to ?? entry.topic, [fromDeadLetter(entry.event)])
      if (await owned.remove(entry.seq)) redriven++
      progress.tick()
    }
  } finally {
    progress.stop()
    await transport.close()
  }
  io.stdout.write(flags.json ? `${JSON.stringify({ redriven })}\n` : `redrove ${redriven} dead ${redriven === 1 ? 'letter' : 'letters'}\n`)
  return ExitCode.ok
}

function pace(started: number, index: number, rate: number): Promise<void> {
  const due = started + (index * 1000) / rate
  const wait = due - Date.now()
  return wait > 0 ? new Promise((r) => setTimeout(r, wait)) : Promise.resolve()
}

function summarise(entry: DeadLetterEntry) {
  return {
    seq: entry.seq,
    id: entry.event.id,
    source: entry.event.source,
    type: entry.event.type,
    rule: entry.rule,
    target: entry.target,
    error: entry.error,
    topic: entry.topic,
    deadLetteredAt: new Date(entry.deadLetteredAt).toISOString(),
  }
}

function formatTable(entries: readonly DeadLetterEntry[]): string {
  if (entries.length === 0) return 'no dead letters\n'
  const rows = entries.map((e) => [String(e.seq), new Date(e.deadLetteredAt).toISOString(), e.rule, e.target, e.event.id, e.error.replace(/\s+/g, ' ').slice(0, 60)])
  const header = ['#', 'dead-lettered at', 'rule', 'target', 'event id', 'error']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]) => `${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`
  return line(header) + rows.map(line).join('')
}

function disposable(store: DeadLetterStore): DeadLetterStore & AsyncDisposable {
  return Object.assign(store, { [Symbol.asyncDispose]: () => store.close() })
}
