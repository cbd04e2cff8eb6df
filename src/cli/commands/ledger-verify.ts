import { boundedText, ResponseTooLarge } from '../../federation/bounded-body.js'
import { tlsTrustHint } from '../../federation/remote-hints.js'
import { withRateLimitRetries } from '../../federation/retry-after.js'
import { parseCheckpoint } from '../../ledger/checkpoint.js'
import { type DisclosureEntry, decodeEntry, type Entry } from '../../ledger/entry.js'
import { LedgerError } from '../../ledger/errors.js'
import { fromBase64Strict, sha256Hex } from '../../ledger/hash.js'
import { type FollowedKeys, followAnsweredChanges, globalOriginOf, keyName } from '../../ledger/key-change.js'
import { GLOBAL_LOG, type LogId, logOrigin, parseLogId } from '../../ledger/log-id.js'
import { parseNote } from '../../ledger/note.js'
import { nodeVerifierKeyProblem } from '../../ledger/note-key.js'
import { checkExtension, checkInclusion, openCheckpointWith, type ReportRow } from '../../ledger/recipient.js'
import { repeatedMember } from '../../stix/i-json.js'
import { compareTimestamps } from '../../stix/timestamp.js'
import { CliError } from '../errors.js'
import { auditLog } from './ledger-audit-log.js'

/** A JSON answer of the node: nothing in it is trusted, so every field is checked where it is read. */
type NodeAnswer = Record<string, unknown>

export interface VerifyOptions {
  url: string
  apiKey: string
  /** The node's verifier key(s) the recipient was given out of band; key changes are followed from them. */
  vkey: string | readonly string[]
  /** Signed checkpoint notes the recipient kept earlier, any order. */
  checkpoints: string[]
  /** What to call each of `checkpoints` when it is not a checkpoint (its file); default "kept checkpoint N". */
  checkpointNames?: string[]
  /** What the recipient received, one text per file: a bundle, a TAXII envelope, a JSON array or JSON Lines. */
  objects?: string | readonly string[]
  /** What to call each of `objects` in a refusal; default "--objects". */
  objectNames?: readonly string[]
  /** How long to wait for each answer of the node; default 30 s. */
  timeoutMs?: number
  /** The recipient's own partner id: the node must answer with that partner's log, and no other. */
  partner?: string
  /**
   * When the recipient received `objects` (RFC 3339): only a disclosure recorded at or after it proves the
   * receipt, since the same bytes disclosed earlier say nothing about a read the node may have left out.
   */
  receivedAfter?: string
  /** Also read every entry of the log, rebuild its root, and report each suspension order's time in force. */
  auditLog?: boolean
}

/**
 * The recipient's check: nothing here trusts the node. Signatures are checked
 * with the key the partner was given out of band; proofs are fetched from the
 * node but verified locally against signed checkpoints.
 */
export interface VerifyReport {
  rows: ReportRow[]
  /**
   * The node's current checkpoint, once its signature verified and it extends every checkpoint kept: keep it
   * for the next run. A checkpoint that forks from a kept one is not offered, so saving it cannot overwrite
   * the evidence of the fork.
   */
  verifiedCheckpoint?: string
}

export async function verifyRemote(options: VerifyOptions): Promise<VerifyReport> {
  if (!/^https?:\/\//.test(options.url))
    throw new CliError('--url must be the node base URL, e.g. http://127.0.0.1:8021', 2)
  if (!options.apiKey) throw new CliError('--api-key (or SLUICE_API_KEY) is required', 2)
  const given = typeof options.vkey === 'string' ? [options.vkey] : [...options.vkey]
  if (given.length === 0) checkVerifierKey('')
  for (const vkey of given) checkVerifierKey(vkey)
  // a mistake in what the recipient gives is reported before the node is asked anything
  const texts = typeof options.objects === 'string' ? [options.objects] : (options.objects ?? [])
  const received = texts.flatMap((text, i) => parseReceived(text, options.objectNames?.[i] ?? '--objects'))
  const kept = options.checkpoints.map((note, i) =>
    keptCheckpoint(note, options.checkpointNames?.[i] ?? `kept checkpoint ${i + 1}`),
  )
  const get = nodeReader(options)
  const rows: ReportRow[] = []
  const current = await get('/ledger/checkpoint')
  const followed = await followNodeKeys(get, given)
  rows.push(...followed.rows)
  if (rows.some((r) => r.status === 'failed')) return { rows }
  const log = typeof current.log === 'string' ? current.log : 'unknown'
  const currentNote = typeof current.checkpoint === 'string' ? current.checkpoint : ''
  const pinned = pinnedLog(log, options.partner, followed.current ?? given[0]!)
  if ('refusal' in pinned)
    return { rows: [...rows, { item: `checkpoint of ${log}`, status: 'failed', reason: pinned.refusal }] }
  // the node signs with its newest key: a current checkpoint under an earlier one is not current; and the
  // log it names must be the one its signed origin names, or another partner's log could pass for ours
  const opened = openCheckpointWith(currentNote, followed.current ?? followed.keys, pinned.origin)
  if (!opened.ok)
    return { rows: [...rows, { item: `checkpoint of ${log}`, status: 'failed', reason: opened.reason }] }
  rows.push({
    item: `checkpoint of ${log} at size ${opened.checkpoint.size}`,
    status: 'proven',
    reason:
      followed.current === undefined || given.includes(followed.current)
        ? 'signature verified with the given key'
        : `signature verified with ${keyName(followed.current)}, followed from the given key`,
  })
  const globalOrigin = logOrigin(pinned.nodeName, GLOBAL_LOG)
  const own = kept.filter((k) => k.origin === pinned.origin)
  const global = kept.filter((k) => k.origin === globalOrigin)
  let extendsKept = true
  for (const k of kept) {
    if (k.origin === pinned.origin || k.origin === globalOrigin) continue
    extendsKept = false
    rows.push({
      item: k.name,
      status: 'failed',
      reason: `a checkpoint of ${k.origin}, neither of your log (${pinned.origin}) nor of the node's global log (${globalOrigin})`,
    })
  }
  const chains = [
    { log, origin: pinned.origin, kept: own, current: { note: currentNote, size: opened.checkpoint.size } },
  ]
  if (global.length > 0 && log !== GLOBAL_LOG) {
    // kept global checkpoints are checked against the node's current one: the whole log only grew
    const answer = await get('/ledger/checkpoint?log=global')
    const note = typeof answer.checkpoint === 'string' ? answer.checkpoint : ''
    const openedGlobal = openCheckpointWith(note, followed.current ?? followed.keys, globalOrigin)
    if (!openedGlobal.ok) {
      extendsKept = false
      rows.push({ item: `checkpoint of ${GLOBAL_LOG}`, status: 'failed', reason: openedGlobal.reason })
    } else {
      rows.push({
        item: `checkpoint of ${GLOBAL_LOG} at size ${openedGlobal.checkpoint.size}`,
        status: 'proven',
        reason: 'signature verified',
      })
      chains.push({
        log: GLOBAL_LOG,
        origin: globalOrigin,
        kept: global,
        current: { note, size: openedGlobal.checkpoint.size },
      })
    }
  }
  for (const chain of chains) {
    const checked = await extensionRows(get, followed.keys, chain)
    rows.push(...checked.rows)
    if (!checked.extendsKept) extendsKept = false
  }
  if (options.auditLog)
    rows.push(...(await auditLog(nodeListReader(options), log, opened.checkpoint, new Date().toISOString())))
  for (const object of received) {
    const id = object.id
    const modified = typeof object.modified === 'string' ? object.modified : null
    const item = `${id} ${modified ?? ''}`.trim()
    if (opened.checkpoint.size === 0) {
      rows.push({
        item,
        status: 'unproven',
        reason: `the log ${log} is empty: it records nothing disclosed to you`,
      })
      continue
    }
    const bytes = new TextEncoder().encode(JSON.stringify(object))
    let answer: NodeAnswer
    try {
      answer = await get(
        `/ledger/inclusion?log=${encodeURIComponent(log)}&object=${encodeURIComponent(id)}&modified=${encodeURIComponent(modified ?? 'null')}&size=${opened.checkpoint.size}`,
      )
    } catch (error) {
      rows.push({ item, status: 'unproven', reason: (error as Error).message })
      continue
    }
    const proofs = inclusionProofs(answer.proofs)
    if (proofs === undefined) {
      rows.push({ item, status: 'failed', reason: 'the node answered with a malformed inclusion proof' })
      continue
    }
    const digest = sha256Hex(bytes)
    const disclosures = proofs.flatMap((p) =>
      p.entry.kind === 'disclosure' &&
      p.entry.contentSha256 === digest &&
      (pinned.partnerId === undefined || p.entry.partnerId === pinned.partnerId)
        ? [{ ...p, entry: p.entry }]
        : [],
    )
    if (disclosures.length === 0) {
      rows.push({
        item,
        status: 'failed',
        reason: proofs.some((p) => p.entry.kind === 'disclosure' && p.entry.contentSha256 === digest)
          ? `the node answered with a disclosure to another partner than ${pinned.partnerId}`
          : 'the log records this object version, but not these exact bytes',
      })
      continue
    }
    const chosen = receiptDisclosure(disclosures, options.receivedAfter)
    if ('refusal' in chosen) {
      rows.push({ item, status: 'unproven', reason: chosen.refusal })
      continue
    }
    const matching = chosen.disclosure
    const { entry } = matching
    const row = checkInclusion(opened.checkpoint, {
      item,
      received: {
        bytes,
        partnerId: entry.partnerId,
        collectionId: entry.collectionId,
        objectId: id,
        objectModified: modified,
        disclosedAt: entry.disclosedAt,
        agreementId: entry.agreementId,
        requestId: entry.requestId,
      },
      leafIndex: matching.index,
      proof: matching.proof,
    })
    rows.push(row.status === 'proven' ? { ...row, reason: `${row.reason}; ${chosen.when}` } : row)
  }
  return { rows, ...(extendsKept ? { verifiedCheckpoint: currentNote } : {}) }
}

interface KeptCheckpoint {
  note: string
  size: number
  origin: string
  name: string
}

/**
 * That each kept checkpoint of one log is extended by the next, up to the node's current one. A kept
 * checkpoint larger than the current one is a log that shrank, told as such without asking the node for a
 * proof it cannot give; a proof the node does not give leaves that step unproven, and the rest is checked.
 */
async function extensionRows(
  get: (path: string) => Promise<NodeAnswer>,
  keys: FollowedKeys['keys'],
  {
    log,
    origin,
    kept,
    current,
  }: {
    log: string
    origin: string
    kept: readonly KeptCheckpoint[]
    current: { note: string; size: number }
  },
): Promise<{ rows: ReportRow[]; extendsKept: boolean }> {
  const rows: ReportRow[] = []
  let extendsKept = true
  const step = (
    older: { note: string; size: number },
    newer: { note: string; size: number },
    proof: Uint8Array[],
  ) => {
    const verdict = checkExtension(keys, older.note, newer.note, proof, origin)
    if (verdict.status !== 'consistent') extendsKept = false
    rows.push({
      item: `log ${log} from size ${older.size} to ${newer.size}`,
      status: verdict.status === 'consistent' ? 'proven' : 'failed',
      reason:
        verdict.status === 'consistent'
          ? older.size === newer.size
            ? 'same size and root: nothing was appended in between'
            : verdict.reason
          : `${verdict.status}: ${verdict.reason}`,
    })
  }
  const sorted = [...kept].sort((a, b) => a.size - b.size)
  for (const larger of sorted.filter((k) => k.size > current.size)) step(larger, current, [])
  const chain = [...sorted.filter((k) => k.size <= current.size), current]
  for (let i = 1; i < chain.length; i++) {
    const older = chain[i - 1]!
    const newer = chain[i]!
    if (older.size === 0 || older.size === newer.size) {
      step(older, newer, [])
      continue
    }
    let answer: NodeAnswer
    try {
      answer = await get(
        `/ledger/consistency?log=${encodeURIComponent(log)}&from=${older.size}&to=${newer.size}`,
      )
    } catch (error) {
      if (!(error instanceof CliError)) throw error
      extendsKept = false
      rows.push({
        item: `log ${log} from size ${older.size} to ${newer.size}`,
        status: 'unproven',
        reason: `no consistency proof: ${error.message}`,
      })
      continue
    }
    const proof = hashList(answer.proof)
    if (proof === undefined) {
      extendsKept = false
      rows.push({
        item: `log ${log} from size ${older.size} to ${newer.size}`,
        status: 'failed',
        reason: 'the node answered with a malformed consistency proof',
      })
      continue
    }
    step(older, newer, proof)
  }
  return { rows, extendsKept }
}

/**
 * The log the node must answer with, and the origin its signed checkpoint must carry: the node's name (its
 * key's) and the log it says it answers with. With `partner` given, that log must be the partner's own.
 */
function pinnedLog(
  log: string,
  partner: string | undefined,
  vkey: string,
): { origin: string; nodeName: string; partnerId?: string } | { refusal: string } {
  let parsed: ReturnType<typeof parseLogId>
  try {
    parsed = parseLogId(log)
  } catch {
    return { refusal: `the node named its log ${JSON.stringify(log)}, which is not a log id` }
  }
  if (partner !== undefined && (parsed.kind !== 'partner' || parsed.partnerId !== partner))
    return {
      refusal: `the node answered with the checkpoint of ${log}, not of partner:${partner}: the API key is not ${partner}'s, or the node answered with another log`,
    }
  const nodeName = keyName(vkey).split('+')[0]!
  const origin = logOrigin(nodeName, log as LogId)
  return parsed.kind === 'partner' ? { origin, nodeName, partnerId: parsed.partnerId } : { origin, nodeName }
}

interface ProvenDisclosure {
  index: number
  entry: DisclosureEntry
  proof: Uint8Array[]
}

/**
 * Which disclosure of these bytes stands for the receipt: the latest (at or after `receivedAfter`, if given),
 * named with its time, so that a recipient who read them during an order can see that the log only records
 * an earlier read.
 */
function receiptDisclosure(
  disclosures: readonly ProvenDisclosure[],
  receivedAfter: string | undefined,
): { disclosure: ProvenDisclosure; when: string } | { refusal: string } {
  const byIndex = [...disclosures].sort((a, b) => a.index - b.index)
  const last = byIndex.at(-1)!
  // entries keep microseconds, which Date.parse would drop
  const eligible =
    receivedAfter === undefined
      ? byIndex
      : byIndex.filter((d) => compareTimestamps(d.entry.disclosedAt, receivedAfter) >= 0)
  const chosen = eligible.at(-1)
  if (chosen === undefined)
    return {
      refusal: `the log records these bytes disclosed to you only before ${receivedAfter} (last at ${last.entry.disclosedAt}, leaf ${last.index}): a receipt after it is not in the log`,
    }
  const others =
    byIndex.length === 1
      ? ''
      : `, the latest of ${byIndex.length} disclosures of these bytes (first at ${byIndex[0]!.entry.disclosedAt})`
  return {
    disclosure: chosen,
    when: `disclosed at ${chosen.entry.disclosedAt} in request ${chosen.entry.requestId}${others}`,
  }
}

/**
 * The keys to check the node's checkpoints with: the given ones, and those its recorded key changes lead
 * to. A node that answers no `changes` has never changed its key.
 */
async function followNodeKeys(
  get: (path: string) => Promise<NodeAnswer>,
  given: readonly string[],
): Promise<FollowedKeys> {
  const answer = await get('/ledger/key')
  const origin = typeof answer.origin === 'string' ? globalOriginOf(answer.origin) : undefined
  return followAnsweredChanges(given, answer.changes, origin)
}

/** The node signs its checkpoints with plain Ed25519 (type 0x01): a key of any other kind cannot verify them. */
function checkVerifierKey(vkey: string): void {
  if (!vkey) throw new CliError("--vkey is required: the node's verifier key, from 'sluice ledger key'", 2)
  const detail = nodeVerifierKeyProblem(vkey)
  if (detail === undefined) return
  throw new CliError(
    `--vkey is not an Ed25519 note verifier key for this node (${detail}); use what 'sluice ledger key' prints`,
    2,
  )
}

/** A checkpoint the recipient kept, with the size it claims; its signature is checked with the rest. */
function keptCheckpoint(note: string, name: string): KeptCheckpoint {
  try {
    const { size, origin } = parseCheckpoint(parseNote(note).text)
    return { note, size, origin, name }
  } catch (error) {
    if (error instanceof LedgerError)
      throw new CliError(`${name} is not a signed checkpoint: ${error.message}`, 2)
    throw error
  }
}

/**
 * GETs a JSON answer of the node. Anything else (no connection, an error status, a body that is not a
 * JSON object) is a one-line error saying what came back, as this is usually a wrong --url or key.
 */
function nodeReader(options: VerifyOptions): (path: string) => Promise<NodeAnswer> {
  const read = nodeJsonReader(options)
  return async (path) => {
    const { value, refuse } = await read(path)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse('an object')
    return value as NodeAnswer
  }
}

/** As `nodeReader`, for the answers that are a JSON array. */
function nodeListReader(options: VerifyOptions): (path: string) => Promise<unknown[]> {
  const read = nodeJsonReader(options)
  return async (path) => {
    const { value, refuse } = await read(path)
    if (!Array.isArray(value)) throw refuse('a list')
    return value
  }
}

/** The JSON of a successful answer, and the error to give if it is not of the form wanted. */
function nodeJsonReader(
  options: VerifyOptions,
): (path: string) => Promise<{ value: unknown; refuse: (wanted: string) => CliError }> {
  const base = options.url.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 30_000
  return async (path) => {
    let res: Response
    let text: string
    try {
      // one request per object received: a node's partner rate limit is waited out, as it asks
      res = await withRateLimitRetries(() =>
        fetch(`${base}${path}`, {
          headers: { Authorization: `Bearer ${options.apiKey}`, Accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        }),
      )
      text = await boundedText(res)
    } catch (error) {
      if (error instanceof ResponseTooLarge)
        throw new CliError(`${base}${path.split('?')[0]}: ${error.message}`)
      throw new CliError(`cannot reach ${base}: ${whyUnreachable(error, timeoutMs)}`)
    }
    const value = jsonValue(text)
    const body =
      typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as NodeAnswer) : undefined
    // the query repeats what the report's item already names
    const route = path.split('?')[0]
    const kind =
      text.trim() === ''
        ? 'an empty body'
        : `${res.headers.get('content-type') ?? 'no content type'}, not JSON`
    if (!res.ok) {
      const said = [body?.description, body?.title].find((s) => typeof s === 'string')
      const answered = said
        ? `the node answered ${res.status} to ${route}: ${said}`
        : `the node answered ${res.status} ${res.statusText} to ${route} (${kind})`
      throw new CliError(`${answered}${res.status === 404 ? beside(base) : ''}`)
    }
    const refuse = (wanted: string) =>
      new CliError(
        `the node answered ${route} with ${value === undefined ? kind : `JSON that is not ${wanted}`}: is ${base} a Sluice node?`,
      )
    return { value, refuse }
  }
}

/**
 * The ledger is served beside the TAXII API roots, not under one: a --url with a path that the node answers
 * 404 is most often an API root or the discovery URL, copied from a feed or a TAXII client.
 */
function beside(base: string): string {
  const url = new URL(base)
  if (url.pathname === '/' || url.pathname === '') return ''
  return `; --url is the node's base URL, without the API root, e.g. ${url.origin}`
}

function whyUnreachable(error: unknown, timeoutMs: number): string {
  const failure = error as Error & { cause?: Error & { code?: string } }
  if (failure.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`
  // fetch refuses a few well-known ports (9, 25, …) before trying to connect
  if (failure.cause?.message === 'bad port') return 'fetch does not connect to that port'
  const hint = tlsTrustHint(failure.cause?.code, 'sluice ledger verify')
  if (hint) return `${failure.cause?.message ?? failure.cause?.code}; ${hint}`
  // the system's words: "connect ECONNREFUSED 127.0.0.1:8021", "getaddrinfo ENOTFOUND host"
  return failure.cause?.message || failure.cause?.code || failure.message
}

function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A proof as the node sends it, a list of base64 hashes; undefined for anything else. */
function hashList(value: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(value)) return undefined
  const hashes: Uint8Array[] = []
  for (const item of value) {
    const bytes = typeof item === 'string' ? fromBase64Strict(item) : null
    if (bytes === null) return undefined
    hashes.push(bytes)
  }
  return hashes
}

/** The `proofs` of an inclusion answer with their entries decoded; undefined if any is not what it should be. */
function inclusionProofs(value: unknown): { index: number; entry: Entry; proof: Uint8Array[] }[] | undefined {
  if (!Array.isArray(value)) return undefined
  const out = []
  for (const item of value as Record<string, unknown>[]) {
    const leaf = typeof item?.leaf === 'string' ? fromBase64Strict(item.leaf) : null
    const proof = hashList(item?.proof)
    if (leaf === null || proof === undefined || !Number.isSafeInteger(item.index)) return undefined
    try {
      out.push({ index: item.index as number, entry: decodeEntry(leaf), proof })
    } catch (error) {
      if (error instanceof LedgerError) return undefined
      throw error
    }
  }
  return out
}

/** What a recipient received, as the object versions in it; an item that is not a STIX object is refused. */
function parseReceived(text: string, name: string): ReceivedObject[] {
  // a download that failed often leaves an empty file: that is not "nothing received"
  if (text.trim() === '') throw new CliError(`${name}: the file is empty (an empty TAXII envelope is {})`, 2)
  // parsed first: the member scan reads valid JSON only, and loops on an unterminated string
  const items = receivedItems(text.trim(), name)
  // JSON.parse keeps the last of two same-named members: bytes that say two things prove neither
  const repeated = repeatedMember(text)
  if (repeated !== undefined)
    throw new CliError(
      `${name} gives the member "${repeated}" twice in one object: what was received is ambiguous, so it cannot be proven`,
      2,
    )
  return items.map((item, i) => {
    if (!isReceivedObject(item))
      throw new CliError(`${name}: item ${i + 1} is not a STIX object (it needs string "type" and "id")`, 2)
    return item
  })
}

interface ReceivedObject extends Record<string, unknown> {
  type: string
  id: string
}

function isReceivedObject(item: unknown): item is ReceivedObject {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false
  const { type, id } = item as Record<string, unknown>
  return typeof type === 'string' && typeof id === 'string'
}

/** The items of a bundle, a TAXII envelope (an empty one has no `objects`), a JSON array or JSON Lines. */
function receivedItems(trimmed: string, name: string): unknown[] {
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch {
    try {
      return trimmed
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line))
    } catch {
      throw new CliError(`${name} must hold a STIX bundle, a TAXII envelope, a JSON array or JSON Lines`, 2)
    }
  }
  if (Array.isArray(value)) return value
  if (typeof value === 'object' && value !== null) {
    const members = value as Record<string, unknown>
    if (Array.isArray(members.objects)) return members.objects
    const empty = members.type === 'bundle' || Object.keys(members).every((k) => k === 'more' || k === 'next')
    if (empty && !('objects' in members)) return []
  }
  return [value]
}
