#!/usr/bin/env node
import { LedgerError } from '../ledger/errors.js'
import { sluiceVersion } from '../ops/version.js'
import { NodeConfigError } from '../server/errors.js'
import { PolicyChangedError, StoreOpenError } from '../store/errors.js'
import { CliError } from './errors.js'
import { CommandUsageError } from './options.js'

const USAGE = `Usage: sluice <command> [options]

Commands:
  serve                      run the node (TAXII 2.1 API, admin API, ledger)
  import FILE|-              load a STIX bundle, JSON array or JSON Lines into a collection
  export                     write a collection as a STIX bundle to stdout
  collections list|create    manage collections
  principals list|create|revoke|grant   manage API principals and their keys
  partners list|add          partner organisations
  agreements list|add|amend|withdraw    what may flow to each partner
  suspend PARTNER            issue a suspension order (whole partner or narrowed)
  resume ORDER               lift a suspension order
  policy explain|preview|history        why, what and when
  ledger key|rotate-key|checkpoint|prove|consistency|verify   the disclosure log
  match                      observed-data a STIX pattern matches
  status                     the node at a glance
  keys list|rotate|revoke|bind-cert|unbind-cert|certs   API keys and client certificates
  backup --out DIR           online backup of the store (and node key)
  restore --from DIR         restore a backup into a stopped node's data directory
  migrate --from LOC --to LOC  copy the node to another store (SQLite to PostgreSQL)
  feeds add|list|poll|clear-alarm|remove   pull partners' TAXII collections (federation)
  pushes add|list|run|remove  push a collection to a partner's TAXII server
  withdraw OBJECT|list|pin-key|keys   withdraw an object from partners; acknowledgements and their keys

Common options:
  --data DIR     data directory (env SLUICE_DATA, default ./data)
  --db LOCATION  SQLite file or postgres:// URL (env SLUICE_DB, default DIR/sluice.db)
  -h, --help     help for a command
  -V, --version  print the version (sluice --version)

Run "sluice <command> --help" for a command's options.`

const COMMANDS: Record<string, () => Promise<{ run: (args: string[]) => Promise<void> }>> = {
  serve: () => import('./commands/serve.js'),
  import: () => import('./commands/import.js'),
  export: () => import('./commands/export.js'),
  collections: () => import('./commands/collections.js'),
  principals: () => import('./commands/principals.js'),
  partners: () => import('./commands/partners.js'),
  agreements: () => import('./commands/agreements.js'),
  suspend: () => import('./commands/suspend.js'),
  resume: () => import('./commands/resume.js'),
  policy: () => import('./commands/policy.js'),
  ledger: () => import('./commands/ledger.js'),
  match: () => import('./commands/match.js'),
  status: () => import('./commands/status.js'),
  keys: () => import('./commands/keys.js'),
  backup: () => import('./commands/backup.js'),
  restore: () => import('./commands/restore.js'),
  migrate: () => import('./commands/migrate.js'),
  feeds: () => import('./commands/feeds.js'),
  pushes: () => import('./commands/pushes.js'),
  withdraw: () => import('./commands/withdraw.js'),
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) throw new CliError('name a command; run "sluice --help" for the list', 2)
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${sluiceVersion()}\n`)
    return 0
  }
  const load = COMMANDS[name]
  if (!load) throw new CliError(`unknown command "${name}"; run "sluice --help" for the list`, 2)
  const command = await load()
  try {
    await command.run(rest)
  } catch (error) {
    if (error instanceof CommandUsageError) {
      const command = error.action === undefined ? name : `${name} ${error.action}`
      throw new CliError(`${error.message} for "${command}"; run "sluice ${name} --help"`, 2)
    }
    throw error
  }
  return 0
}

// a reader that stops early (| head) is not an error; any other failure to write is said in one line, and
// what the command changed before it is kept (its output is what was lost)
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  process.stderr.write(
    `sluice: cannot write the output: ${error.message}; what the command changed is kept, only its output is lost\n`,
  )
  process.exit(1)
})

/** Failures of the operator's environment (a read-only or full disk), said in one line like a bad option. */
function environmentFault(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code
  if (typeof code !== 'string') return undefined
  if (code.startsWith('SQLITE_READONLY')) return `cannot write the database: ${(error as Error).message}`
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `the disk is full: ${(error as Error).message}`
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return (error as Error).message
  return undefined
}

/** Refusals quote what they were given; a 100,000-character id pasted by mistake need not come back whole. */
function bounded(message: string, max = 1000): string {
  return message.length <= max ? message : `${message.slice(0, max)}… (${message.length} characters in all)`
}

// the only place that exits the process
main(process.argv.slice(2)).then(
  (code) => {
    // a command that finished but found problems (e.g. rejected objects) has set its own code
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = code
  },
  (error: unknown) => {
    if (
      error instanceof CliError ||
      error instanceof StoreOpenError ||
      error instanceof NodeConfigError ||
      error instanceof PolicyChangedError ||
      // a key file that cannot be read or written is the operator's to fix, like a bad option
      (error instanceof LedgerError && error.code === 'key_file')
    ) {
      process.stderr.write(`sluice: ${bounded(error.message)}\n`)
      process.exitCode = error instanceof CliError ? error.exitCode : 1
    } else {
      const fault = environmentFault(error)
      process.stderr.write(
        `sluice: ${fault ?? `unexpected error: ${(error as Error)?.stack ?? String(error)}`}\n`,
      )
      process.exitCode = 1
    }
  },
)
