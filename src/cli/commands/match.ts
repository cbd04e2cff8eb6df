import { randomUUID } from 'node:crypto'
import { matchCollection } from '../../services/match.js'
import { compilePattern, PatternMatchError } from '../../stix/pattern/index.js'
import { CliError } from '../errors.js'
import { integer, parse, required } from '../options.js'
import { withServices } from '../store-session.js'

const HELP = `Usage: sluice match --pattern "[ipv4-addr:value = '198.51.100.7']" --collection C [--limit N] [--json]

Lists the observed-data in a collection that the STIX pattern matches (each on its own),
and whether the pattern matches the collection's observed-data taken together.`

export async function run(args: string[]): Promise<void> {
  const { values } = parse(
    args,
    {
      pattern: { type: 'string' },
      collection: { type: 'string' },
      'api-root': { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    0,
  )
  if (values.help) return void process.stdout.write(`${HELP}\n`)
  const limit = integer(values.limit ?? '100', 'limit')!
  const pattern = required(values.pattern, 'pattern')
  // the service parses it again; parsing here makes a malformed pattern a usage error, told before the store
  try {
    compilePattern(pattern)
  } catch (error) {
    const where = error instanceof PatternMatchError ? error.patternError : undefined
    throw new CliError(
      where
        ? `--pattern does not parse: ${where.message} (column ${where.column})`
        : `--pattern: ${(error as Error).message}`,
      2,
    )
  }
  await withServices(values, async ({ store, gate }) => {
    const collection = await store.getCollection(
      values['api-root'] ?? 'intel',
      required(values.collection, 'collection'),
    )
    if (!collection) throw new CliError(`no collection "${values.collection}"`)
    const session = await gate.open(
      { principalId: 'local-admin', role: 'admin', requestId: randomUUID() },
      new Date().toISOString(),
    )
    const report = await matchCollection(store, session, collection.id, pattern, limit)
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ ...report, matches: report.matches.map((m) => JSON.parse(m.json)) }, null, 2)}\n`,
      )
      return
    }
    process.stdout.write(
      `scanned ${report.scanned} observed-data; ${report.matches.length} match on their own; as a set: ${report.matchedAsSet ? `matched (${report.binding.join(', ')})` : 'no match'}\n`,
    )
    for (const m of report.matches) process.stdout.write(`  ${m.stored.id}  added ${m.stored.dateAdded}\n`)
  })
}
