import { CommanderError, type Command } from 'commander'
import type { DeadLetterFilter } from '../../delivery/dead-letter-store.js'
import { ExitCode } from '../command.js'

/** Adds the filter flags every `sepal dlq` subcommand shares. */
export function withFilters(command: Command): Command {
  return command
    .option('--rule <name>', 'only dead letters of this rule')
    .option('--error <text>', 'only dead letters whose error contains this text (case-insensitive)')
    .option('--since <time>', 'only dead letters from this time on: an ISO date or a duration back from now (30m, 12h, 7d)')
    .option('--data <dir>', 'the data directory of the embedded setup', '.sepal')
    .option('--json', 'print JSON for machines')
}

export interface FilterFlags {
  rule?: string
  error?: string
  since?: string
  data: string
  json?: boolean
}

export function toFilter(flags: FilterFlags, now: number): DeadLetterFilter {
  return {
    ...(flags.rule !== undefined && { rule: flags.rule }),
    ...(flags.error !== undefined && { error: flags.error }),
    ...(flags.since !== undefined && { since: parseSince(flags.since, now) }),
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `--since` takes an ISO time or a duration back from now, so "the last hour" needs no date arithmetic. */
export function parseSince(value: string, now: number): number {
  const relative = /^(\d+)([smhd])$/.exec(value.trim())
  if (relative) return now - Number(relative[1]) * (UNITS[relative[2]!] ?? 0)
  const at = Date.parse(value)
  if (Number.isNaN(at)) {
    throw new CommanderError(ExitCode.usage, 'sepal.invalidArgument', `error: --since must be an ISO time or a duration such as 30m, 12h or 7d, got ${JSON.stringify(value)}`)
  }
  return at
}

/** Parses `--rate 50` or `--rate 50/s`. */
export function parseRate(value: string): number {
  const rate = Number(value.replace(/\/s$/, ''))
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new CommanderError(ExitCode.usage, 'sepal.invalidArgument', `error: --rate must be a positive number of events per second such as 50 or 50/s, got ${JSON.stringify(value)}`)
  }
  return rate
}
