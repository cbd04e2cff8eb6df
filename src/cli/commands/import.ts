import { createReadStream } from 'node:fs'
import { ingestOptions } from '../../ingest/options.js'
import { identify, prepareObjects } from '../../ingest/prepare.js'
import { BundleReadError, type ReadItem, readObjects } from '../../stix/bundle-reader.js'
import { describeInexactNumber } from '../../stix/i-json.js'
import type { Store } from '../../store/types.js'
import { CliError } from '../errors.js'
import { checkReadableFile } from '../files.js'
import { namedCollection } from '../named-collection.js'
import { integer, parse } from '../options.js'
import { Progress } from '../progress.js'
import { withStore } from '../store-session.js'

const HELP = `Usage: sluice import FILE|- --collection ID|ALIAS [--api-root NAME] [--batch N]

Reads a STIX 2.1 bundle, a JSON array of objects or JSON Lines (from stdin with -),
validates every object and stores the valid ones, in transactions of --batch objects
(default 1000). Prints a summary of accepted and rejected objects, the rejections in input
order, each with where it is ($.objects[N], $[N], or "line N: $" in JSON Lines) and why.
Exits 1 if any object was rejected, 2 on bad usage or unreadable or empty input
(an empty bundle or array is not an error).`

const SHOWN_REJECTIONS = 20

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      collection: { type: 'string' },
      'api-root': { type: 'string' },
      batch: { type: 'string' },
    },
    1,
  )
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  const file = positionals[0]
  if (!file) throw new CliError('name a file to import, or - for stdin', 2)
  if (file !== '-') checkReadableFile(file)
  const batchSize = integer(values.batch ?? '1000', 'batch')!
  await withStore(values, async (store) => {
    const collection = await namedCollection(store, values)
    const seen = { content: false }
    const input = noticingContent(file === '-' ? process.stdin : createReadStream(file), seen)
    const summary = await importStream(store, collection.id, input, batchSize)
    // an empty file is far more often a failed download or a wrong path than an intended no-op
    if (!seen.content && !summary.error)
      throw new CliError(`${file === '-' ? 'stdin' : file} is empty: nothing to import`, 2)
    process.stdout.write(
      `imported into ${collection.alias ?? collection.id}: ${summary.added} added, ${summary.unchanged} already present, ${summary.rejected.length} rejected\n`,
    )
    for (const r of summary.rejected.slice(0, SHOWN_REJECTIONS))
      process.stdout.write(`  rejected ${r.id}: ${r.message}\n`)
    if (summary.rejected.length > SHOWN_REJECTIONS)
      process.stdout.write(`  … and ${summary.rejected.length - SHOWN_REJECTIONS} more\n`)
    if (summary.error)
      throw new CliError(
        `input stopped being readable: ${summary.error}; nothing after that point was read (what came before is counted above)`,
        2,
      )
    if (summary.rejected.length > 0) process.exitCode = 1
  })
}

/** Passes `input` through, noting whether any of it is other than whitespace. */
async function* noticingContent(
  input: AsyncIterable<Buffer | string>,
  seen: { content: boolean },
): AsyncGenerator<Buffer | string> {
  for await (const chunk of input) {
    if (!seen.content && /\S/.test(chunk.toString())) seen.content = true
    yield chunk
  }
}

export interface ImportSummary {
  added: number
  unchanged: number
  /** In input order. */
  rejected: { id: string; message: string }[]
  error?: string
}

interface Pending {
  value: unknown
  where: string
  /** Position in the input, which orders the rejections reported. */
  index: number
}

/** Streams objects into a collection in batches, each batch one transaction. */
export async function importStream(
  store: Store,
  collectionId: string,
  input: AsyncIterable<Buffer | string>,
  batchSize: number,
): Promise<ImportSummary> {
  const summary: ImportSummary = { added: 0, unchanged: 0, rejected: [] }
  const rejected: { index: number; id: string; message: string }[] = []
  const progress = new Progress(process.stderr)
  const options = ingestOptions(store)
  let batch: Pending[] = []
  // objects whose marking-definition comes later in the stream are retried once the stream ends
  const deferred: Pending[] = []
  const flush = async (final = false) => {
    if (batch.length === 0) return
    const prepared = await prepareObjects(
      batch.map((p) => p.value),
      options,
      (at) => batch[at]!.where,
    )
    for (const r of prepared.rejected) {
      if (r.unresolved && !final) deferred.push(batch[r.at]!)
      else rejected.push({ index: batch[r.at]!.index, id: r.id, message: r.message ?? 'rejected' })
    }
    const outcomes = await store.putObjects(collectionId, prepared.accepted)
    outcomes.forEach((outcome, i) => {
      if (outcome.result === 'added') summary.added++
      else if (outcome.result === 'unchanged') summary.unchanged++
      else
        rejected.push({
          index: batch[prepared.acceptedAt[i]!]!.index,
          id: outcome.id,
          message: outcome.message,
        })
    })
    progress.update(summary.added + summary.unchanged + rejected.length)
    batch = []
  }
  try {
    try {
      for await (const item of readObjects(input)) {
        if (item.repeatedMember !== undefined) {
          rejected.push({ index: item.index, id: identify(item.value).id, message: repeatedMessage(item) })
          continue
        }
        if (item.inexactNumber !== undefined) {
          const message = `${item.where}: ${describeInexactNumber(item.inexactNumber)}: send it as a string (inexact-number)`
          rejected.push({ index: item.index, id: identify(item.value).id, message })
          continue
        }
        batch.push({ value: item.value, where: item.where, index: item.index })
        if (batch.length >= batchSize) await flush()
      }
    } catch (error) {
      if (!(error instanceof BundleReadError) && (error as NodeJS.ErrnoException).code === undefined)
        throw error
      summary.error = (error as Error).message
    }
    // what was read before an unreadable part is imported and reported in full, deferred objects included
    await flush()
    for (let i = 0; i < deferred.length; i += batchSize) {
      batch = deferred.slice(i, i + batchSize)
      await flush(true)
    }
  } finally {
    progress.done()
  }
  summary.rejected = rejected.sort((a, b) => a.index - b.index).map(({ id, message }) => ({ id, message }))
  return summary
}

function repeatedMessage(item: ReadItem): string {
  return `${item.where}: the member "${item.repeatedMember}" is given twice in one object; STIX content names each member once, as I-JSON requires (repeated-member)`
}
