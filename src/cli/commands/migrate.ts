import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { IncompleteStoreError } from '../../store/errors.js'
import {
  MigrationError,
  MigrationInterrupted,
  type MigrationProgress,
  migrateStore,
} from '../../store/migrate.js'
import { displayLocation, holdServingLock, openStore } from '../../store/open.js'
import type { Store } from '../../store/types.js'
import { CliError } from '../errors.js'
import { dataLocation, parse, required } from '../options.js'

const HELP = `Usage: sluice migrate --from LOCATION --to LOCATION [--data DIR]

Copies a whole node from one store to another, typically from its SQLite file
to a new PostgreSQL database:

  sluice migrate --from sqlite:data/sluice.db --to postgres://sluice@db.internal/sluice

Stop the node first. The target must be empty (a freshly created database).
Everything is carried: API roots, collections, every object version in order
with its exact JSON text, principals and API keys (hashes, roles, revocations,
expiry), grants, sharing policy, the disclosure ledger (every log with the same
leaves, sizes and roots; checked at the end), checkpoints, feed and push state,
provenance. The object versions get new date_added values in the same order.
Not carried: TAXII status resources, and the pagination cursor secret (clients
holding an old "next" link start paging again).

The target is marked incomplete until the copy is verified: one that fails or
is interrupted (Ctrl-C) is refused by serve and every command; drop it and
migrate again.

The node's signing key is not in the store: it stays in the data directory
(DIR/node.key, or SLUICE_NODE_KEY). Start the node with --db pointing at the
target and the same key and origin, and old checkpoints keep verifying.`

/** A location as printed: a PostgreSQL password never reaches the terminal. */

const isPostgres = (location: string) => /^postgres(ql)?:\/\//.test(location)

function refuseMissingSource(location: string): void {
  const path = location.replace(/^sqlite:/, '')
  if (!isPostgres(location) && !existsSync(path)) throw new CliError(`no SQLite database at ${path}`)
}

function holdLock(location: string): ReturnType<typeof holdServingLock> {
  try {
    return holdServingLock(location, 'migrate')
  } catch (error) {
    throw new CliError(firstLine(error))
  }
}

async function open(location: string, dataDir: string, role: 'source' | 'target'): Promise<Store> {
  try {
    return await openStore(location, dataDir)
  } catch (error) {
    if (error instanceof IncompleteStoreError) throw error
    throw new CliError(`cannot open the ${role} ${displayLocation(location)}: ${firstLine(error)}`)
  }
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0]!
}

/**
 * Where the source node's signing key is. It is not in the store, so the summary must name the file the
 * operator has to carry over; the data directory given here may not be the node's (a migration is often
 * run from elsewhere), so the directory beside the SQLite file is looked at too.
 */
function sourceKeyLine(from: string, dataDir: string): string {
  const candidates = process.env.SLUICE_NODE_KEY
    ? [process.env.SLUICE_NODE_KEY]
    : [
        ...new Set([
          join(dataDir, 'node.key'),
          ...(isPostgres(from) ? [] : [join(dirname(from.replace(/^sqlite:/, '')), 'node.key')]),
        ]),
      ]
  const found = candidates.find((path) => existsSync(path))
  return found
    ? `the source node's key is ${found}`
    : `no node key found at ${candidates.join(' or ')}; use the key the source node was started with`
}

/** One line on a terminal, redrawn at most ten times a second. */
function progressLine(out: NodeJS.WriteStream): { update(p: MigrationProgress): void; done(): void } {
  let last = 0
  let drawn = false
  return {
    update(p) {
      if (!out.isTTY) return
      const now = Date.now()
      if (now - last < 100 && p.done !== p.total) return
      last = now
      drawn = true
      const count =
        p.total === undefined ? '' : ` ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')}`
      out.write(`\r\x1b[K${p.phase}${count}`)
    },
    done() {
      if (drawn) out.write('\r\x1b[K')
    },
  }
}

export async function run(args: string[]): Promise<void> {
  const { values } = parse(args, { from: { type: 'string' }, to: { type: 'string' } }, 0)
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  const from = required(values.from, 'from')
  const to = required(values.to, 'to')
  // "sqlite:" alone names no file: SQLite opens a temporary database for it, and the copy is thrown away
  for (const [flag, location] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (location.replace(/^sqlite:(\/\/)?/, '').trim() === '')
      throw new CliError(`--${flag} ${location} names no SQLite file`, 2)
  if (from.replace(/^sqlite:/, '') === to.replace(/^sqlite:/, ''))
    throw new CliError('--from and --to name the same store', 2)
  const { dataDir } = dataLocation(values)
  refuseMissingSource(from)
  // a node still serving the SQLite source would take writes the copy never gets; none may start meanwhile
  const locks: ReturnType<typeof holdServingLock>[] = []
  const release = () => {
    for (const lock of locks.splice(0)) lock.release()
  }
  let source: Store
  try {
    for (const location of [from, to]) locks.push(holdLock(location))
    source = await open(from, dataDir, 'source')
  } catch (error) {
    release()
    throw error
  }
  let target: Store | undefined
  const progress = progressLine(process.stderr)
  // Ctrl-C stops the copy at its next step, so it can say what it leaves behind
  const interrupt = new AbortController()
  const onInterrupt = () => interrupt.abort()
  process.once('SIGINT', onInterrupt)
  try {
    target = await open(to, dataDir, 'target')
    const started = Date.now()
    const summary = await migrateStore(source, target, {
      onProgress: (p) => progress.update(p),
      signal: interrupt.signal,
    }).catch((error: unknown) => {
      progress.done()
      const message = firstLine(error)
      if (error instanceof MigrationInterrupted)
        throw new CliError(
          `migrate interrupted: the copy into ${displayLocation(to)} is incomplete and marked so; drop it and migrate again into a new, empty database`,
          130,
        )
      // the empty-target check fails before anything is written
      if (error instanceof MigrationError && message.startsWith('the target is not empty'))
        throw new CliError(message)
      throw new CliError(
        `migration failed: ${message} (the target is incomplete: drop it and migrate into a new, empty database)`,
      )
    })
    progress.done()
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const w = (line: string) => process.stdout.write(`${line}\n`)
    w(`migrated ${displayLocation(from)} -> ${displayLocation(to)} in ${seconds} s`)
    w(`api roots        ${summary.apiRoots}`)
    w(`collections      ${summary.collections}`)
    w(
      `object versions  ${summary.objectVersions} (exact JSON text verified; date_added re-assigned, order kept)`,
    )
    w(`principals       ${summary.principals} (${summary.apiKeys} API keys, ${summary.grants} grants)`)
    w(`policy rows      ${summary.policyRecords}`)
    for (const l of summary.ledger)
      w(`ledger           ${l.logId}: ${l.size} entries, root ${l.root} (same as source)`)
    w(`checkpoints      ${summary.checkpoints}`)
    w(
      `named state      ${summary.state}${summary.cursorsRewritten ? ` (${summary.cursorsRewritten} sequence cursors renumbered)` : ''}`,
    )
    w(`provenance       ${summary.provenance}`)
    if (summary.undecodableLeaves > 0)
      w(
        `warning          ${summary.undecodableLeaves} ledger leaves are not entries this version decodes (copied as they are)`,
      )
    w('not carried      TAXII status resources; the pagination cursor secret (old "next" links restart)')
    w(
      `node key         not in the store (${sourceKeyLine(from, dataDir)}); run the node with --db ${displayLocation(to)} and that key`,
    )
  } finally {
    process.off('SIGINT', onInterrupt)
    progress.done()
    await source.close().catch(() => {})
    await target?.close().catch(() => {})
    release()
  }
}
