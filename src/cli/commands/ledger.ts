import { decodeEntry } from '../../ledger/entry.js'
import { toBase64 } from '../../ledger/hash.js'
import { GLOBAL_LOG, parseLogId, partnerLogId } from '../../ledger/log-id.js'
import { reportSummary } from '../../ledger/recipient.js'
import { knownLog } from '../../services/known-log.js'
import type { LedgerService } from '../../services/ledger-service.js'
import type { Store } from '../../store/types.js'
import { CliError } from '../errors.js'
import { checkOutputFile, readUserFile, writeUserFile } from '../files.js'
import { actionNames, actionOf, instant, integer, onlyFor, parse, required } from '../options.js'
import { printable } from '../printable.js'
import { withServices } from '../store-session.js'
import { rotateKey } from './ledger-rotate-key.js'
import { verifyRemote } from './ledger-verify.js'

const HELP = `Usage:
  sluice ledger key                                       the node's verifier key (give it to partners)
  sluice ledger rotate-key --reason "..." [--issuer NAME]
                                                          sign with a new key from now on; the change is a
                                                          ledger entry, and the checkpoint covering it is
                                                          signed by both keys, so verifiers holding the old
                                                          key follow it
  sluice ledger rotate-key --prepare                      only write the next key (node.key.next), to copy
                                                          beside the key file on the node's other hosts first
  sluice ledger checkpoint [--log global|partner:ID]     sign and print a checkpoint of a log
  sluice ledger prove --log L (--index N | --object ID [--modified T]) [--size S]
                                                          inclusion proofs, as JSON; without --modified,
                                                          of every version of the object disclosed in L
  sluice ledger consistency --log L --from M --to N       a consistency proof, as JSON
  sluice ledger verify --url URL --api-key KEY --vkey VKEY... [--partner ID] [--checkpoint FILE]...
                       [--objects FILE]... [--received-after T] [--audit-log] [--save-checkpoint FILE]
                                                          recipient side: checks signatures, that the log only
                                                          grew between the checkpoints you kept (of your log
                                                          and of the global one), and that every
                                                          object you received is in the log; item by item.
                                                          --partner ID: the node must answer with your own log.
                                                          --received-after T: only a disclosure logged at or
                                                          after T proves what you received.
                                                          --audit-log: read every entry of your log, check they
                                                          rebuild the signed root, and report each suspension:
                                                          when it was in force, what was disclosed meanwhile.
                                                          --save-checkpoint keeps the node's current checkpoint
                                                          (after its signature verified) for the next run.
                                                          Key changes recorded in the log are followed from
                                                          the keys given.
                                                          The API key may come from SLUICE_API_KEY instead.
                                                          Exits 1 unless every item is proven.`

const OPTIONS = {
  log: { type: 'string' },
  index: { type: 'string' },
  object: { type: 'string' },
  modified: { type: 'string' },
  size: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  vkey: { type: 'string', multiple: true },
  reason: { type: 'string' },
  issuer: { type: 'string' },
  prepare: { type: 'boolean' },
  checkpoint: { type: 'string', multiple: true },
  objects: { type: 'string', multiple: true },
  'save-checkpoint': { type: 'string' },
  partner: { type: 'string' },
  'received-after': { type: 'string' },
  'audit-log': { type: 'boolean' },
} as const

const ACTIONS = { key: 0, 'rotate-key': 0, checkpoint: 0, prove: 0, consistency: 0, verify: 0 } as const

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values']

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, OPTIONS, ACTIONS)
  const [given] = positionals
  if (values.help || !given) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(given, actionNames(ACTIONS))
  const prove = ['prove'] as const
  const verifying = ['verify'] as const
  onlyFor(values, action, {
    log: ['checkpoint', 'prove', 'consistency'],
    index: prove,
    object: prove,
    modified: prove,
    size: prove,
    from: ['consistency'],
    to: ['consistency'],
    url: verifying,
    'api-key': verifying,
    vkey: verifying,
    checkpoint: verifying,
    objects: verifying,
    'save-checkpoint': verifying,
    partner: verifying,
    'received-after': verifying,
    'audit-log': verifying,
    reason: ['rotate-key'],
    issuer: ['rotate-key'],
    prepare: ['rotate-key'],
  })
  if (action === 'verify') return verify(values)
  if (action === 'rotate-key') return rotateKey(values)
  const named = logOption(values.log)
  // every question is checked before the store is opened, whatever the action
  const question = action === 'prove' ? proveQuestion(values) : undefined
  const range = action === 'consistency' ? consistencyRange(values) : undefined
  await withServices(values, async ({ ledger, store, policy }) => {
    const log = await knownLog(policy, named.id)
    switch (action) {
      case 'key':
        return void process.stdout.write(`${(await ledger.signingKey()).vkey}\n`)
      case 'checkpoint':
        return void process.stdout.write((await ledger.checkpoint(log)).note)
      case 'prove':
        return void process.stdout.write(
          `${JSON.stringify({ log, proofs: await inclusionProofs(ledger, store, log, question!) }, null, 2)}\n`,
        )
      case 'consistency': {
        const { from, to } = range!
        const head = await nonEmptyHead(store, log)
        if (to > head.size) throw new CliError(`--to must be at most the log size ${head.size}`)
        const proof = (await ledger.proveConsistency(log, from, to)).map(toBase64)
        return void process.stdout.write(`${JSON.stringify({ log, from, to, proof }, null, 2)}\n`)
      }
    }
  })
}

async function verify(values: Values): Promise<void> {
  const receivedAfter = instant(values['received-after'], 'received-after')
  if (receivedAfter !== undefined && values.objects === undefined)
    throw new CliError('--received-after goes with --objects', 2)
  const keepIn = values['save-checkpoint']
  if (keepIn) checkOutputFile(keepIn)
  const { rows, verifiedCheckpoint } = await verifyRemote({
    url: values.url ?? process.env.SLUICE_URL ?? '',
    apiKey: values['api-key'] ?? process.env.SLUICE_API_KEY ?? '',
    vkey: values.vkey ?? [],
    checkpoints: (values.checkpoint ?? []).map((f) => readUserFile(f)),
    checkpointNames: (values.checkpoint ?? []).map((f) => `--checkpoint ${f}`),
    ...(values.objects
      ? {
          objects: values.objects.map((f) => readUserFile(f)),
          // one file is "--objects" as before; with several, a refusal names the file it is about
          ...(values.objects.length > 1 ? { objectNames: values.objects.map((f) => `--objects ${f}`) } : {}),
        }
      : {}),
    ...(values.partner === undefined ? {} : { partner: partnerOption(values.partner) }),
    ...(receivedAfter === undefined ? {} : { receivedAfter }),
    ...(values['audit-log'] ? { auditLog: true } : {}),
  })
  // items and reasons quote what the remote node sent
  for (const r of rows)
    process.stdout.write(`${r.status.toUpperCase().padEnd(8)} ${printable(r.item)}: ${printable(r.reason)}\n`)
  let unkept: CliError | undefined
  if (keepIn && verifiedCheckpoint) {
    try {
      writeUserFile(keepIn, verifiedCheckpoint)
      process.stdout.write(`kept the checkpoint in ${keepIn}\n`)
    } catch (error) {
      unkept = error as CliError
    }
  } else if (keepIn) {
    process.stdout.write(
      `did not keep the node's checkpoint in ${keepIn}: it is not verified as extending what you kept\n`,
    )
  }
  process.stdout.write(`${reportSummary(rows)}\n`)
  // the summary still stands; what failed is only the keeping, said last so it is seen
  if (unkept) throw unkept
  // an item the node could not prove is no pass either: the recipient asked for proof of everything
  if (rows.some((r) => r.status !== 'proven')) process.exitCode = 1
}

function partnerOption(id: string): string {
  try {
    partnerLogId(id)
  } catch {
    throw new CliError(`--partner ${JSON.stringify(id)} is not a partner id`, 2)
  }
  return id
}

function logOption(given: string | undefined): ReturnType<typeof parseLogId> & { id: string } {
  const log = given ?? GLOBAL_LOG
  try {
    return { ...parseLogId(log), id: log }
  } catch {
    throw new CliError(`--log must be global or partner:ID, not ${JSON.stringify(log)}`, 2)
  }
}

/** What `ledger prove` is asked: one entry by index, or the disclosures of an object (of one version). */
type ProveQuestion = { size?: number } & ({ index: number } | { object: string; modified?: string })

function proveQuestion(values: Values): ProveQuestion {
  const size = integer(values.size, 'size')
  const sized = size === undefined ? {} : { size }
  if (values.index !== undefined && values.object !== undefined)
    throw new CliError('give --index or --object, not both', 2)
  if (values.object !== undefined) {
    const modified = instant(values.modified, 'modified')
    return { ...sized, object: values.object, ...(modified === undefined ? {} : { modified }) }
  }
  if (values.modified !== undefined) throw new CliError('--modified goes with --object', 2)
  if (values.index === undefined) throw new CliError('one of --index or --object is required', 2)
  return { ...sized, index: integer(values.index, 'index', { min: 0 })! }
}

async function inclusionProofs(ledger: LedgerService, store: Store, log: string, question: ProveQuestion) {
  const head = await nonEmptyHead(store, log)
  const size = question.size ?? head.size
  if (size > head.size) throw new CliError(`--size must be between 1 and ${head.size}`)
  const leaves =
    'index' in question
      ? await store.ledgerLeaves(log, question.index, question.index + 1)
      : await ledger.findDisclosures(log, question.object, question.modified)
  const found = leaves.filter((l) => l.index < size)
  if (found.length === 0) throw new CliError(notFound(question, `in ${log} at size ${size}`))
  const proofs = []
  for (const l of found)
    proofs.push({
      index: l.index,
      size,
      entry: decodeEntry(l.bytes),
      leaf: toBase64(l.bytes),
      proof: (await ledger.proveInclusion(log, l.index, size)).map(toBase64),
    })
  return proofs
}

function notFound(question: ProveQuestion, where: string): string {
  if ('index' in question) return `no entry ${question.index} ${where}`
  if (question.modified !== undefined)
    return `no disclosure of ${question.object} modified ${question.modified} ${where}`
  return `no disclosure of ${question.object} ${where}, of any version this node stores (one deleted since needs --modified)`
}

/**
 * RFC 9162 defines the proof for sizes 0 < from < to; from = to is the empty proof, which the recipient's
 * check accepts too, so it is answered rather than refused.
 */
function consistencyRange(values: Values): { from: number; to: number } {
  const from = integer(required(values.from, 'from'), 'from')!
  const to = integer(required(values.to, 'to'), 'to')!
  if (from > to) throw new CliError(`--from must not exceed --to (${from} > ${to})`, 2)
  return { from, to }
}

/** The log's head; a log with no entries has nothing to prove. */
async function nonEmptyHead(store: Store, log: string) {
  const head = await store.ledgerHead(log)
  if (head.size === 0)
    throw new CliError(`the log ${log} has no entries: nothing has been recorded in it yet`)
  return head
}
