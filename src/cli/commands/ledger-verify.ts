import { openCheckpoint, parseCheckpoint } from '../../ledger/checkpoint.js'
import { decodeEntry } from '../../ledger/entry.js'
import { fromBase64Strict, sha256Hex } from '../../ledger/hash.js'
import { checkExtension, checkInclusion, type ReportRow } from '../../ledger/recipient.js'
import { CliError } from '../errors.js'

/** The parts of the node's JSON answers the verifier reads; everything else is checked cryptographically. */
interface NodeAnswer {
  title?: string
  description?: string
  log?: string
  checkpoint?: string
  proof?: string[]
  proofs?: { index: number; leaf: string; proof: string[] }[]
}

export interface VerifyOptions {
  url: string
  apiKey: string
  vkey: string
  /** Signed checkpoint notes the recipient kept earlier, any order. */
  checkpoints: string[]
  /** What the recipient received: a bundle, a TAXII envelope, a JSON array or JSON Lines. */
  objects?: string
}

/**
 * The recipient's check: nothing here trusts the node. Signatures are checked
 * with the key the partner was given out of band; proofs are fetched from the
 * node but verified locally against signed checkpoints.
 */
export interface VerifyReport {
  rows: ReportRow[]
  /** The node's current checkpoint, once its signature verified: keep it for the next run. */
  verifiedCheckpoint?: string
}

export async function verifyRemote(options: VerifyOptions): Promise<VerifyReport> {
  if (!/^https?:\/\//.test(options.url))
    throw new CliError('--url must be the node base URL, e.g. http://127.0.0.1:8021', 2)
  if (!options.apiKey) throw new CliError('--api-key (or SLUICE_API_KEY) is required', 2)
  if (!options.vkey)
    throw new CliError("--vkey is required: the node's verifier key, from 'sluice ledger key'", 2)
  const get = async (path: string) => {
    const res = await fetch(`${options.url.replace(/\/+$/, '')}${path}`, {
      headers: { Authorization: `Bearer ${options.apiKey}`, Accept: 'application/json' },
    })
    const body = (await res.json().catch(() => ({}))) as NodeAnswer
    if (!res.ok)
      throw new CliError(
        `the node answered ${res.status} to ${path}: ${body.description ?? body.title ?? ''}`,
      )
    return body
  }
  const rows: ReportRow[] = []
  const current = await get('/ledger/checkpoint')
  const log = current.log ?? 'unknown'
  const opened = openCheckpoint(current.checkpoint ?? '', [options.vkey])
  if (!opened.ok) return { rows: [{ item: `checkpoint of ${log}`, status: 'failed', reason: opened.reason }] }
  rows.push({
    item: `checkpoint of ${log} at size ${opened.checkpoint.size}`,
    status: 'proven',
    reason: 'signature verified with the given key',
  })
  const kept = options.checkpoints.map((note) => ({
    note,
    size: parseCheckpoint(note.split('\n\n')[0]! + '\n').size,
  }))
  kept.sort((a, b) => a.size - b.size)
  const chain = [...kept, { note: current.checkpoint ?? '', size: opened.checkpoint.size }]
  for (let i = 1; i < chain.length; i++) {
    const older = chain[i - 1]!
    const newer = chain[i]!
    const proof =
      older.size > 0 && older.size < newer.size
        ? (
            (
              await get(
                `/ledger/consistency?log=${encodeURIComponent(log)}&from=${older.size}&to=${newer.size}`,
              )
            ).proof as string[]
          ).map((p) => fromBase64Strict(p)!)
        : []
    const verdict = checkExtension([options.vkey], older.note, newer.note, proof)
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
  for (const object of parseReceived(options.objects)) {
    const id = String(object.id)
    const modified = typeof object.modified === 'string' ? object.modified : null
    const item = `${id} ${modified ?? ''}`.trim()
    const bytes = new TextEncoder().encode(JSON.stringify(object))
    let proofs: { index: number; leaf: string; proof: string[] }[]
    try {
      proofs =
        (
          await get(
            `/ledger/inclusion?log=${encodeURIComponent(log)}&object=${encodeURIComponent(id)}&modified=${encodeURIComponent(modified ?? 'null')}&size=${opened.checkpoint.size}`,
          )
        ).proofs ?? []
    } catch (error) {
      rows.push({ item, status: 'unproven', reason: (error as Error).message })
      continue
    }
    const matching = proofs.find((p) => {
      const entry = decodeEntry(fromBase64Strict(p.leaf)!)
      return entry.kind === 'disclosure' && entry.contentSha256 === sha256Hex(bytes)
    })
    if (!matching) {
      rows.push({
        item,
        status: 'failed',
        reason: 'the log records this object version, but not these exact bytes',
      })
      continue
    }
    const entry = decodeEntry(fromBase64Strict(matching.leaf)!)
    if (entry.kind !== 'disclosure') continue
    rows.push(
      checkInclusion(opened.checkpoint, {
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
        proof: (matching.proof as string[]).map((p) => fromBase64Strict(p)!),
      }),
    )
  }
  return { rows, verifiedCheckpoint: current.checkpoint ?? '' }
}

function parseReceived(text: string | undefined): Record<string, unknown>[] {
  if (!text) return []
  const trimmed = text.trim()
  try {
    const value = JSON.parse(trimmed)
    if (Array.isArray(value)) return value
    if (value && Array.isArray(value.objects)) return value.objects
    return [value]
  } catch {
    try {
      return trimmed
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    } catch {
      throw new CliError('--objects must hold a STIX bundle, a TAXII envelope, a JSON array or JSON Lines', 2)
    }
  }
}
