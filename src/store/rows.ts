import { formatMicros } from './time.js'
import type {
  ApiKeyRecord,
  CollectionRecord,
  EndpointVersion,
  GateFacts,
  PrincipalRecord,
  StoredVersion,
} from './types.js'

/**
 * Rows as both SQL adapters read them, and their records. The schemas are kept
 * column-for-column alike, so one mapping serves both.
 */
export interface ObjectRow {
  seq: number
  collection_id: string
  id: string
  type: string
  version: string | null
  spec_version: string
  added_us: number
  json: string
}

export const OBJECT_COLUMNS = 'seq, collection_id, id, type, version, spec_version, added_us, json'

export function toStoredVersion(row: ObjectRow): StoredVersion {
  return storedVersion(
    row.seq,
    row.collection_id,
    row.id,
    row.type,
    row.version,
    row.spec_version,
    row.added_us,
    row.json,
    undefined,
  )
}

/**
 * A stored version from its columns, in `OBJECT_COLUMNS` order, whether the driver read the row as an
 * object or as an array. `gate` is always set, to undefined when not asked for: one object shape for every
 * stored version.
 */
function storedVersion(
  seq: number,
  collectionId: string,
  id: string,
  type: string,
  version: string | null,
  specVersion: string,
  addedUs: number,
  json: string,
  gate: GateFacts | undefined,
): StoredVersion {
  return {
    seq,
    collectionId,
    id,
    type,
    version: version ?? undefined,
    specVersion,
    dateAdded: formatMicros(addedUs),
    json,
    gate,
  }
}

/** The columns of `GateFacts`; `version_key` is empty exactly when the version has no `modified`. */
export const GATE_COLUMNS = "view_id, endpoint_refs, version_key = '' AS unmodified, created_by"

export interface GateRow {
  version: string | null
  /** A string where the driver reads 64-bit integers as strings (pg's BIGINT). */
  view_id: number | string | null
  endpoint_refs: string | null
  /** 1 or true when the version has no `modified`, per driver. */
  unmodified: number | boolean
  created_by: string | null
}

export function toGateFacts(row: GateRow): GateFacts {
  return gateFacts(row.version, row.view_id, row.endpoint_refs, row.unmodified, row.created_by)
}

function gateFacts(
  version: string | null,
  viewId: GateRow['view_id'],
  endpointRefs: string | null,
  unmodified: GateRow['unmodified'],
  createdBy: string | null,
): GateFacts {
  return {
    viewId: viewId === null ? null : Number(viewId),
    endpointRefs: endpointRefs === null ? null : (JSON.parse(endpointRefs) as string[]),
    modified: unmodified === 1 || unmodified === true ? null : version,
    createdBy,
  }
}

export interface EndpointRow extends GateRow {
  id: string
  collection_id: string
  json: string | null
}

export function toEndpointVersion(row: EndpointRow): EndpointVersion {
  const gate = toGateFacts(row)
  return row.json === null
    ? { id: row.id, collectionId: row.collection_id, gate }
    : { id: row.id, collectionId: row.collection_id, gate, json: row.json }
}

/**
 * A row of `OBJECT_COLUMNS`, then `GATE_COLUMNS` when `withGate`, read as an array in column order (a
 * driver's raw or array mode: building an object per row costs a property per column, and a page is a
 * thousand rows of eleven).
 */
export function tupleToStoredVersion(row: readonly unknown[], withGate: boolean): StoredVersion {
  const version = row[4] as string | null
  const gate = withGate
    ? gateFacts(
        version,
        row[8] as GateRow['view_id'],
        row[9] as string | null,
        row[10] as GateRow['unmodified'],
        row[11] as string | null,
      )
    : undefined
  return storedVersion(
    row[0] as number,
    row[1] as string,
    row[2] as string,
    row[3] as string,
    version,
    row[5] as string,
    row[6] as number,
    row[7] as string,
    gate,
  )
}

export interface ApiKeyRow {
  key_id: string
  principal_id: string
  secret_hash: Buffer
  created_at: string
  revoked_at: string | null
  expires_at: string | null
  last_used_at: string | null
}

export function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    keyId: row.key_id,
    principalId: row.principal_id,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
  }
}

export interface CollectionRow {
  id: string
  api_root: string
  title: string
  description: string | null
  alias: string | null
  /** JSON text in SQLite, a text[] in PostgreSQL. */
  media_types: string | string[]
}

export function toCollection(r: CollectionRow): CollectionRecord {
  return {
    id: r.id,
    apiRoot: r.api_root,
    title: r.title,
    ...(r.description ? { description: r.description } : {}),
    ...(r.alias ? { alias: r.alias } : {}),
    mediaTypes: typeof r.media_types === 'string' ? (JSON.parse(r.media_types) as string[]) : r.media_types,
  }
}

export interface PrincipalRow {
  id: string
  name: string
  role: PrincipalRecord['role']
  partner_id: string | null
  created_at: string
  revoked_at: string | null
}

export function toPrincipal(r: PrincipalRow): PrincipalRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: r.created_at,
    ...(r.partner_id ? { partnerId: r.partner_id } : {}),
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
  }
}
