import { readFileSync, writeFileSync } from 'node:fs'
import { decodeEntry } from '../../ledger/entry.js'
import { toBase64 } from '../../ledger/hash.js'
import { GLOBAL_LOG, parseLogId } from '../../ledger/log-id.js'
import { reportSummary } from '../../ledger/recipient.js'
import type { Store } from '../../store/types.js'
import { CliError } from '../errors.js'
import { parse } from '../options.js'
import { withServices } from '../store-session.js'
import { verifyRemote } from './ledger-verify.js'

const HELP = `Usage:
  sluice ledger key                                       the node's verifier key (give it to partners)
  sluice ledger checkpoint [--log global|partner:ID]     sign and print a checkpoint of a log
  sluice ledger prove --log L (--index N | --object ID [--modified T]) [--size S]
                                                          inclusion proofs, as JSON; without --modified,
                                                          of every version of the object disclosed in L
  sluice ledger consistency --log L --from M --to N       a consistency proof, as JSON
  sluice ledger verify --url URL --api-key KEY --vkey VKEY [--checkpoint FILE]... [--objects FILE]
                       [--save-checkpoint FILE]
                                                          recipient side: checks signatures, that the log only
                                                          grew between the checkpoints you kept, and that every
                                                          object you received is in the log; item by item.
                                                          --save-checkpoint keeps the node's current checkpoint
                                                          (after its signature verified) for the next run.
                                                          Exits 1 unless every item is proven.`

function int(value: string | undefined, flag: string): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new CliError(`--${flag} must be a non-negative integer`, 2)
  return Number(value)
}

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    log: { type: 'string' },
    index: { type: 'string' },
    object: { type: 'string' },
    modified: { type: 'string' },
    size: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    url: { type: 'string' },
    'api-key': { type: 'string' },
    vkey: { type: 'string' },
    checkpoint: { type: 'string', multiple: true },
    objects: { type: 'string' },
    'save-checkpoint': { type: 'string' },
  })
  const [action] = positionals
  if (values.help || !action) {
    process.stdout.write(`${HELP}\n`)
    if (!values.help) throw new CliError('say what to do: key, checkpoint, prove, consistency or verify', 2)
    return
  }
  if (action === 'verify') {
    const { rows, verifiedCheckpoint } = await verifyRemote({
      url: values.url ?? process.env.SLUICE_URL ?? '',
      apiKey: values['api-key'] ?? process.env.SLUICE_API_KEY ?? '',
      vkey: values.vkey ?? '',
      checkpoints: (values.checkpoint ?? []).map((f) => readText(f)),
      checkpointNames: (values.checkpoint ?? []).map((f) => `--checkpoint ${f}`),
      ...(values.objects ? { objects: readText(values.objects) } : {}),
    })
    for (const r of rows) process.stdout.write(`${r.status.toUpperCase().padEnd(8)} ${r.item}: ${r.reason}\n`)
    const keepIn = values['save-checkpoint']
    if (keepIn && verifiedCheckpoint) {
      writeFileSync(keepIn, verifiedCheckpoint)
      process.stdout.write(`kept the checkpoint in ${keepIn}\n`)
    } else if (keepIn) {
      process.stdout.write(
        `did not keep the node's checkpoint in ${keepIn}: it is not verified as extending what you kept\n`,
      )
    }
    process.stdout.write(`${reportSummary(rows)}\n`)
    // an item the node could not prove is no pass either: the recipient asked for proof of everything
    if (rows.some((r) => r.status !== 'proven')) process.exitCode = 1
    return
  }
  const log = values.log ?? GLOBAL_LOG
  try {
    parseLogId(log)
  } catch {
    throw new CliError(`--log must be global or partner:ID, not ${JSON.stringify(log)}`, 2)
  }
  await withServices(values, async ({ ledger, store }) => {
    switch (action) {
      case 'key':
        return void process.stdout.write(`${ledger.key.vkey}\n`)
      case 'checkpoint':
        return void process.stdout.write((await ledger.checkpoint(log)).note)
      case 'prove': {
        const head = await nonEmptyHead(store, log)
        const size = values.size ? int(values.size, 'size') : head.size
        if (size < 1 || size > head.size) throw new CliError(`--size must be between 1 and ${head.size}`)
        const index = values.object ? undefined : int(values.index, 'index')
        const leaves =
          index === undefined
            ? await ledger.findDisclosures(log, values.object!, values.modified)
            : await store.ledgerLeaves(log, index, index + 1)
        const found = leaves.filter((l) => l.index < size)
        if (found.length === 0) {
          const where = `in ${log} at size ${size}`
          throw new CliError(
            index !== undefined
              ? `no entry ${index} ${where}`
              : values.modified !== undefined
                ? `no disclosure of ${values.object} modified ${values.modified} ${where}`
                : `no disclosure of ${values.object} ${where}, of any version this node stores (one deleted since needs --modified)`,
          )
        }
        const proofs = []
        for (const l of found)
          proofs.push({
            index: l.index,
            size,
            entry: decodeEntry(l.bytes),
            leaf: toBase64(l.bytes),
            proof: (await ledger.proveInclusion(log, l.index, size)).map(toBase64),
          })
        return void process.stdout.write(`${JSON.stringify({ log, proofs }, null, 2)}\n`)
      }
      case 'consistency': {
        const from = int(values.from, 'from')
        const to = int(values.to, 'to')
        const head = await nonEmptyHead(store, log)
        if (from < 1 || from > to || to > head.size)
          throw new CliError(`need 1 <= --from <= --to <= ${head.size}`)
        return void process.stdout.write(
          `${JSON.stringify({ log, from, to, proof: (await ledger.proveConsistency(log, from, to)).map(toBase64) }, null, 2)}\n`,
        )
      }
      default:
        throw new CliError(`unknown action "${action}"`, 2)
    }
  })
}

/** The log's head; a log with no entries (no such partner, or nothing recorded yet) has nothing to prove. */
async function nonEmptyHead(store: Store, log: string) {
  const head = await store.ledgerHead(log)
  if (head.size === 0)
    throw new CliError(`the log ${log} has no entries: no such log, or nothing recorded in it yet`)
  return head
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, 2)
  }
}
