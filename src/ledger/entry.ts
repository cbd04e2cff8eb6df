import { isTimestamp } from '../stix/timestamp.js'
import { LedgerError } from './errors.js'
import { leafHash } from './hash.js'

/**
 * Ledger entries and their canonical leaf bytes.
 *
 * Canonical encoding (format version 1): UTF-8 JSON, no whitespace, no BOM, one object whose keys appear in
 * exactly the order listed below for its kind, always all of them (absent values are `null`, never
 * omitted). Strings are written as `JSON.stringify` writes them (only `"`, `\` and U+0000–U+001F escaped,
 * everything else as raw UTF-8; lone surrogates are rejected). Integers are plain decimals. The free-form
 * order `scope` is canonical JSON too: object keys sorted by UTF-16 code units, no whitespace, finite
 * numbers in ECMAScript shortest form. Decoding re-encodes and demands byte equality, so every entry has
 * exactly one accepted encoding and a leaf hash identifies it.
 *
 *   disclosure: v, kind, partner_id, collection_id, object_id, object_modified, content_sha256,
 *               disclosed_at, agreement_id, request_id
 *   order:      v, kind, order_id, order_kind, partner_id, scope, issuer, reason, reference,
 *               effective_from, recorded_at
 *   agreement:  v, kind, agreement_id, version, partner_id, change, changed_by, changed_at, agreement_sha256
 *   withdrawal: v, kind, withdrawal_id, event, partner_id, object_id, actor, at, evidence_sha256
 *   key:        v, kind, previous_vkey, vkey, issuer, reason, recorded_at
 *
 * `v` is the number 1. Times (`disclosed_at`, `effective_from`, `recorded_at`, `changed_at`) are RFC 3339
 * UTC with exactly six fractional digits (`2026-03-01T09:30:00.000123Z`); `object_modified` is the STIX
 * `modified` value verbatim (any fractional precision, `Z`) or null; hashes are lowercase hex SHA-256.
 *
 * @example
 * encodeEntry({ kind: 'agreement', agreementId: 'agr-7', version: 2, partnerId: 'northland', change: 'amended',
 *   changedBy: 'officer-12', changedAt: '2026-03-01T09:30:00.000000Z', agreementSha256: 'ab…' })
 * // {"v":1,"kind":"agreement","agreement_id":"agr-7","version":2,"partner_id":"northland",…}
 */

/** A JSON value (the type of an order's free-form scope). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** One object version served to a partner, hashed exactly as served (after redaction). */
export interface DisclosureEntry {
  readonly kind: 'disclosure'
  readonly partnerId: string
  readonly collectionId: string
  readonly objectId: string
  /** The STIX `modified` of the version served, verbatim; null for objects without one. */
  readonly objectModified: string | null
  /** Lowercase hex SHA-256 of the exact bytes served. */
  readonly contentSha256: string
  /** RFC 3339 UTC with microseconds. */
  readonly disclosedAt: string
  /** The agreement that allowed the disclosure. */
  readonly agreementId: string
  readonly requestId: string
}

/** A suspension or resumption order. */
export interface OrderEntry {
  readonly kind: 'order'
  readonly orderId: string
  readonly orderKind: 'suspension' | 'resumption'
  readonly partnerId: string
  /** What the order covers, as the policy layer describes it (any JSON; canonicalised). */
  readonly scope: JsonValue
  readonly issuer: string
  readonly reason: string
  /** External reference (case number, legal instrument), or null. */
  readonly reference: string | null
  readonly effectiveFrom: string
  readonly recordedAt: string
}

/** A change to a sharing agreement. */
export interface AgreementEntry {
  readonly kind: 'agreement'
  readonly agreementId: string
  /** Agreement version after the change, from 1. */
  readonly version: number
  readonly partnerId: string
  /** What happened, as a lowercase token: e.g. `created`, `amended`, `suspended`, `terminated`. */
  readonly change: string
  readonly changedBy: string
  readonly changedAt: string
  /** Lowercase hex SHA-256 of the agreement's canonical JSON after the change. */
  readonly agreementSha256: string
}

/**
 * A withdrawal of an object from a partner (federation): issued by the origin, acknowledged by the
 * receiver with a signed note. `evidenceSha256` hashes the withdrawal record (issued) or the signed
 * acknowledgement note (acknowledged), so either side can later show the document behind the entry.
 */
export interface WithdrawalEntry {
  readonly kind: 'withdrawal'
  readonly withdrawalId: string
  /** `issued` or `acknowledged`. */
  readonly event: string
  readonly partnerId: string
  readonly objectId: string
  readonly actor: string
  readonly at: string
  readonly evidenceSha256: string
}

/**
 * A change of the node's signing key. It concerns no partner and goes to the global log only; the
 * checkpoint that first covers it is signed by both keys, so a recipient holding the previous key can
 * follow the change (key-change.ts).
 */
export interface KeyEntry {
  readonly kind: 'key'
  /** The verifier key checkpoints were signed with until this entry. */
  readonly previousVkey: string
  /** The verifier key checkpoints are signed with from this entry on. */
  readonly vkey: string
  readonly issuer: string
  readonly reason: string
  readonly recordedAt: string
}

/** Anything the ledger records. */
export type Entry = DisclosureEntry | OrderEntry | AgreementEntry | WithdrawalEntry | KeyEntry

/** Entry kinds. */
export type EntryKind = Entry['kind']

/** Current encoding version, the `v` of every entry. */
export const ENTRY_FORMAT_VERSION = 1

type FieldType =
  | 'id'
  | 'text'
  | 'textOrNull'
  | 'sha256'
  | 'time'
  | 'stixTimeOrNull'
  | 'json'
  | 'version'
  | 'token'
  | 'orderKind'

type Field = readonly [property: string, key: string, type: FieldType]

const FIELDS: Record<EntryKind, readonly Field[]> = {
  disclosure: [
    ['partnerId', 'partner_id', 'id'],
    ['collectionId', 'collection_id', 'id'],
    ['objectId', 'object_id', 'id'],
    ['objectModified', 'object_modified', 'stixTimeOrNull'],
    ['contentSha256', 'content_sha256', 'sha256'],
    ['disclosedAt', 'disclosed_at', 'time'],
    ['agreementId', 'agreement_id', 'id'],
    ['requestId', 'request_id', 'id'],
  ],
  order: [
    ['orderId', 'order_id', 'id'],
    ['orderKind', 'order_kind', 'orderKind'],
    ['partnerId', 'partner_id', 'id'],
    ['scope', 'scope', 'json'],
    ['issuer', 'issuer', 'id'],
    ['reason', 'reason', 'text'],
    ['reference', 'reference', 'textOrNull'],
    ['effectiveFrom', 'effective_from', 'time'],
    ['recordedAt', 'recorded_at', 'time'],
  ],
  agreement: [
    ['agreementId', 'agreement_id', 'id'],
    ['version', 'version', 'version'],
    ['partnerId', 'partner_id', 'id'],
    ['change', 'change', 'token'],
    ['changedBy', 'changed_by', 'id'],
    ['changedAt', 'changed_at', 'time'],
    ['agreementSha256', 'agreement_sha256', 'sha256'],
  ],
  withdrawal: [
    ['withdrawalId', 'withdrawal_id', 'id'],
    ['event', 'event', 'token'],
    ['partnerId', 'partner_id', 'id'],
    ['objectId', 'object_id', 'id'],
    ['actor', 'actor', 'id'],
    ['at', 'at', 'time'],
    ['evidenceSha256', 'evidence_sha256', 'sha256'],
  ],
  key: [
    ['previousVkey', 'previous_vkey', 'id'],
    ['vkey', 'vkey', 'id'],
    ['issuer', 'issuer', 'id'],
    ['reason', 'reason', 'text'],
    ['recordedAt', 'recorded_at', 'time'],
  ],
}

const LEDGER_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/
const LONE_SURROGATE = /\p{Cs}/u
const CONTROL = /[\u0000-\u001f\u007f]/

// Character tables for the checks made once per disclosure: a table lookup per character is several times
// faster than a regular expression over strings this short, and a page makes a thousand of each.
const HEX_DIGIT = new Uint8Array(128)
for (const c of '0123456789abcdef') HEX_DIGIT[c.charCodeAt(0)] = 1
/** Printable ASCII that JSON writes as it is (not `"` or `\`). */
const JSON_PLAIN = new Uint8Array(128)
for (let c = 0x20; c < 0x7f; c++) JSON_PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1

/** 64 lowercase hex digits. */
function isSha256Hex(s: string): boolean {
  if (s.length !== 64) return false
  for (let i = 0; i < 64; i++) if (HEX_DIGIT[s.charCodeAt(i)] !== 1) return false
  return true
}

/** Non-empty printable ASCII without `"` or `\`: a valid `id` field, which JSON quotes as it is. */
function isPlainId(s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) if (JSON_PLAIN[s.charCodeAt(i)] !== 1) return false
  return true
}
const TOKEN = /^[a-z][a-z0-9_-]{0,63}$/

function validDate(m: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return year >= 1 && day <= days
}

function invalid(message: string, path: (string | number)[]): never {
  throw new LedgerError('malformed_entry', message, path)
}

function checkString(value: unknown, path: (string | number)[]): string {
  if (typeof value !== 'string') invalid(`${path.join('.')} must be a string`, path)
  if (LONE_SURROGATE.test(value)) invalid(`${path.join('.')} contains a lone surrogate`, path)
  return value
}

function checkJson(value: unknown, path: (string | number)[], depth = 0): JsonValue {
  if (depth > 32) invalid(`${path.join('.')} is nested too deeply`, path)
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid(`${path.join('.')} must be a finite number`, path)
    return value
  }
  if (typeof value === 'string') return checkString(value, path)
  if (Array.isArray(value)) return value.map((item, i) => checkJson(item, [...path, i], depth + 1))
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: { [key: string]: JsonValue } = {}
    for (const [key, item] of Object.entries(value)) {
      checkString(key, [...path, key])
      // defineProperty, so a "__proto__" key stays a plain own property
      Object.defineProperty(out, key, {
        value: checkJson(item, [...path, key], depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return out
  }
  return invalid(`${path.join('.')} is not a JSON value`, path)
}

/** Checks one field's value against its type; returns it as stored in the entry. */
function checkField(type: FieldType, value: unknown, path: (string | number)[]): unknown {
  const where = path.join('.')
  switch (type) {
    case 'id': {
      const s = checkString(value, path)
      if (s.length === 0 || CONTROL.test(s))
        invalid(`${where} must be non-empty, without control characters`, path)
      return s
    }
    case 'text':
      return checkString(value, path)
    case 'textOrNull':
      return value === null ? null : checkString(value, path)
    case 'sha256':
      if (typeof value !== 'string' || !isSha256Hex(value)) {
        invalid(`${where} must be 64 lowercase hex digits`, path)
      }
      return value
    case 'time': {
      const m = typeof value === 'string' ? LEDGER_TIME.exec(value) : null
      if (!m || !validDate(m)) invalid(`${where} must be RFC 3339 UTC with microseconds`, path)
      return value
    }
    case 'stixTimeOrNull': {
      if (value === null) return null
      // what ingest accepts as `modified` must be recordable, or a partner's read of it fails
      if (!isTimestamp(value)) invalid(`${where} must be a STIX timestamp or null`, path)
      return value
    }
    case 'json':
      return checkJson(value, path)
    case 'version':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
        invalid(`${where} must be a positive integer`, path)
      }
      return value
    case 'token':
      if (typeof value !== 'string' || !TOKEN.test(value)) {
        invalid(`${where} must be a lowercase token ([a-z][a-z0-9_-]*, at most 64)`, path)
      }
      return value
    case 'orderKind':
      if (value !== 'suspension' && value !== 'resumption') {
        invalid(`${where} must be "suspension" or "resumption"`, path)
      }
      return value
  }
}

/** Canonical JSON text of a JSON value (sorted object keys, no whitespace). */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const keys = Object.keys(value).sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`
}

/** Validated, serialized field values, reused across the entries of one batch (keyed by type, then value). */
type FieldMemo = Map<FieldType, Map<unknown, string>>

function fieldText(type: FieldType, value: unknown, property: string, memo: FieldMemo | undefined): string {
  // scalars repeat across a batch (partner, collection, agreement, request, time): check and quote once
  const scalar =
    memo !== undefined && type !== 'json' && (typeof value === 'string' || typeof value === 'number')
  let seen: Map<unknown, string> | undefined
  if (scalar) {
    seen = memo.get(type)
    if (seen === undefined) {
      seen = new Map()
      memo.set(type, seen)
    }
    const text = seen.get(value)
    if (text !== undefined) return text
  }
  const checked = checkField(type, value, [property])
  const text = type === 'json' ? canonicalJson(checked as JsonValue) : JSON.stringify(checked)
  seen?.set(value, text)
  return text
}

function entryText(entry: Entry, memo?: FieldMemo): string {
  const fields = FIELDS[entry.kind]
  if (fields === undefined) invalid(`unknown entry kind ${JSON.stringify(entry.kind)}`, ['kind'])
  const record = entry as unknown as Record<string, unknown>
  let text = `{"v":${ENTRY_FORMAT_VERSION},"kind":${JSON.stringify(entry.kind)}`
  for (const [property, key, type] of fields) {
    text += `,"${key}":${fieldText(type, record[property], property, memo)}`
  }
  return `${text}}`
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Canonical leaf bytes of an entry; throws `malformed_entry` (with the offending property path) if invalid. */
export function encodeEntry(entry: Entry): Uint8Array {
  return encoder.encode(entryText(entry))
}

/** A STIX timestamp whose day exists in every month: one pattern, no date arithmetic. */
const PLAIN_STIX_TIME =
  /^(?!0000)\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/

/**
 * The canonical text of a disclosure, the bulk of what the ledger encodes (one per version served).
 * Consecutive disclosures of one request share partner, time, request and mostly collection and
 * agreement, so the text before and after the per-version fields is reused while those stay the same;
 * a plain id (as every STIX id is) is quoted without the generic checks. Anything else takes the generic path.
 */
function disclosureTexts(memo: FieldMemo): (entry: DisclosureEntry) => string {
  let last: DisclosureEntry | undefined
  let head = ''
  let tail = ''
  const field = (type: FieldType, value: unknown, property: string) => fieldText(type, value, property, memo)
  return (e) => {
    if (
      last === undefined ||
      e.partnerId !== last.partnerId ||
      e.collectionId !== last.collectionId ||
      e.disclosedAt !== last.disclosedAt ||
      e.agreementId !== last.agreementId ||
      e.requestId !== last.requestId
    ) {
      head = `{"v":${ENTRY_FORMAT_VERSION},"kind":"disclosure","partner_id":${field('id', e.partnerId, 'partnerId')},"collection_id":${field('id', e.collectionId, 'collectionId')}`
      tail = `,"disclosed_at":${field('time', e.disclosedAt, 'disclosedAt')},"agreement_id":${field('id', e.agreementId, 'agreementId')},"request_id":${field('id', e.requestId, 'requestId')}}`
      last = e
    }
    const objectId =
      typeof e.objectId === 'string' && isPlainId(e.objectId)
        ? `"${e.objectId}"`
        : field('id', e.objectId, 'objectId')
    // unique per version: checked without the memo, which would only grow; the common forms are
    // recognised by one pattern each and need no escaping
    const modified =
      typeof e.objectModified === 'string' && PLAIN_STIX_TIME.test(e.objectModified)
        ? `"${e.objectModified}"`
        : fieldText('stixTimeOrNull', e.objectModified, 'objectModified', undefined)
    const content =
      typeof e.contentSha256 === 'string' && isSha256Hex(e.contentSha256)
        ? `"${e.contentSha256}"`
        : fieldText('sha256', e.contentSha256, 'contentSha256', undefined)
    return `${head},"object_id":${objectId},"object_modified":${modified},"content_sha256":${content}${tail}`
  }
}

/**
 * `encodeEntry` for many entries at once, byte for byte the same: values that repeat across the batch
 * are checked and quoted once, and all entries are encoded into one buffer (each result is a view of it).
 */
export function encodeEntries(entries: readonly Entry[]): Uint8Array[] {
  const memo: FieldMemo = new Map()
  const disclosureText = disclosureTexts(memo)
  const texts = entries.map((entry) =>
    entry.kind === 'disclosure' ? disclosureText(entry) : entryText(entry, memo),
  )
  const joined = texts.join('')
  const all = Buffer.from(joined, 'utf8')
  // all ASCII (the usual case): every text's byte length is its length
  const ascii = all.length === joined.length
  const out: Uint8Array[] = []
  let at = 0
  for (const text of texts) {
    const length = ascii ? text.length : Buffer.byteLength(text, 'utf8')
    out.push(all.subarray(at, at + length))
    at += length
  }
  return out
}

/**
 * The entry whose canonical encoding is `bytes`. Throws `malformed_entry` for anything that is not a valid
 * entry (path = JSON key at fault) and `non_canonical_entry` for a valid entry in a non-canonical encoding.
 */
export function decodeEntry(bytes: Uint8Array): Entry {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return invalid('entry is not valid UTF-8', [])
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return invalid(`entry is not JSON: ${(error as Error).message}`, [])
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    invalid('entry must be a JSON object', [])
  const record = json as Record<string, unknown>
  if (record.v !== ENTRY_FORMAT_VERSION)
    invalid(`unsupported entry format version ${JSON.stringify(record.v)}`, ['v'])
  const kind = record.kind
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) {
    invalid(`unknown entry kind ${JSON.stringify(kind)}`, ['kind'])
  }
  const fields = FIELDS[kind as EntryKind]
  const known = new Set(['v', 'kind', ...fields.map(([, key]) => key)])
  for (const key of Object.keys(record)) {
    if (!known.has(key)) invalid(`unexpected key ${JSON.stringify(key)} in a ${kind} entry`, [key])
  }
  const entry: Record<string, unknown> = { kind }
  for (const [property, key, type] of fields) {
    if (!Object.hasOwn(record, key)) invalid(`missing key ${JSON.stringify(key)} in a ${kind} entry`, [key])
    entry[property] = checkField(type, record[key], [key])
  }
  const decoded = entry as unknown as Entry
  if (entryText(decoded) !== text || text.charCodeAt(0) === 0xfeff) {
    throw new LedgerError('non_canonical_entry', 'entry is valid but not in canonical encoding', [])
  }
  return decoded
}

/** The key by which a disclosure of one object version is found in a log. */
export function disclosureKey(objectId: string, modified: string | null): string {
  return `${objectId}|${modified ?? 'null'}`
}

/** The key by which a change of the node's signing key to `vkey` is found in the global log. */
export function keyChangeKey(vkey: string): string {
  // no STIX id lacks "--", so this never names a disclosure
  return `key-change|${vkey}`
}

/**
 * The key by which an entry is found in its logs (`Store.findLedgerLeaves`): a disclosure by its object
 * version, a key change by the key it changes to; other entries by none.
 */
export function entryObjectKey(entry: Entry): string | undefined {
  if (entry.kind === 'disclosure') return disclosureKey(entry.objectId, entry.objectModified)
  if (entry.kind === 'key') return keyChangeKey(entry.vkey)
  return undefined
}

/** Leaf hash of an entry's canonical bytes. */
export function entryLeafHash(entry: Entry): Uint8Array {
  return leafHash(encodeEntry(entry))
}
