import { randomBytes } from 'node:crypto'
import { HASH_SIZE, leafHash } from '../../ledger/hash.js'
import { PolicyChangedError } from '../errors.js'
import {
  type ChunkRow,
  chunkHolding,
  chunkKeyMatches,
  chunkLeaves,
  chunkNode,
  completingLeaf,
  completingLeaves,
  endsSlice,
  hashSlice,
  keyHashBytes,
  leafRange,
  NodeCache,
  once,
  packFrontier,
  planLedgerAppend,
  type StoredLeaves,
  unpackFrontier,
} from '../ledger-append.js'
import { objectQueryWhere, versionCondition } from '../object-query.js'
import { runSearch, type SearchDialect } from '../object-search.js'
import { KnownViews, policyViewId } from '../policy-view-id.js'
import {
  type ApiKeyRow,
  type CollectionRow,
  type EndpointRow,
  GATE_COLUMNS,
  OBJECT_COLUMNS,
  type ObjectRow,
  type PrincipalRow,
  toApiKey,
  toCollection,
  toEndpointVersion,
  toPrincipal,
  toStoredVersion,
  tupleToStoredVersion,
} from '../rows.js'
import { sameContent } from '../same-content.js'
import { formatMicros, nextDateAdded, nowMicros, storedVersionKey, toMicros } from '../time.js'
import type {
  ApiKeyChange,
  ApiKeyRecord,
  ApiRootRecord,
  CheckpointRecord,
  CollectionGrant,
  CollectionRecord,
  EndpointVersion,
  IncomingObject,
  LedgerAppend,
  LedgerHead,
  LedgerLeaf,
  LedgerPosition,
  NodeKeyRef,
  ObjectBatch,
  ObjectQuery,
  ObjectSearch,
  ObjectSearchBatch,
  PolicyRecord,
  PrincipalRecord,
  ProvenanceRecord,
  PutOutcome,
  StateDocument,
  StateExpectation,
  StatusRecord,
  Store,
  StoreCapabilities,
  StoredVersion,
  VersionSelector,
} from '../types.js'
import { openSqlite, type SqliteDatabase, StatementCache } from './connection.js'
import { type WalDurability, walDurability } from './wal-durability.js'

const positional = () => '?'
/** SQLite's way to keep a term from an index: a unary plus makes the column an expression. */
const unindexed = (column: string) => `+${column}`
/** Every newest marking definition, read on every policy change (by its own index: a test holds the plan). */
export const MARKING_DEFINITIONS_QUERY = `SELECT ${OBJECT_COLUMNS} FROM objects WHERE type = 'marking-definition' AND is_last = 1 ORDER BY seq`
const notInJsonList = (column: string, list: string) =>
  `${column} NOT IN (SELECT value FROM json_each(${list}))`

/**
 * The statement of an object query (one row more than the limit, to tell whether more follow), with its
 * parameters. A query by id sorts the few rows the unique key finds: allowed to, SQLite walks the
 * collection's seq index instead and tests every row against the ids (a test holds the plans).
 */
export function objectQuerySql(query: ObjectQuery, withGate: boolean): { sql: string; params: unknown[] } {
  const { where, params } = objectQueryWhere(query, positional, notInJsonList, unindexed)
  const columns = withGate ? `${OBJECT_COLUMNS}, ${GATE_COLUMNS}` : OBJECT_COLUMNS
  const order = query.ids?.length ? unindexed('seq') : 'seq'
  return {
    sql: `SELECT ${columns} FROM objects WHERE ${where} ORDER BY ${order} LIMIT ?`,
    params: [...params, query.limit + 1],
  }
}

const SQLITE_CHUNK_COLUMNS = 'id, start, count, ref_chunk, ref_offset, nodes'

interface SqliteChunkRow {
  id: number
  start: number
  count: number
  ref_chunk: number | null
  ref_offset: number
  nodes: Buffer
}

/** SQLite's lower() folds A–Z only (no ICU here), which is the folding searchObjects promises. */
const SQLITE_SEARCH: SearchDialect = {
  placeholder: positional,
  containsText: (needle) => `instr(lower(w.json), ${needle}) > 0`,
  hasLabel: (label) => `EXISTS (SELECT 1 FROM json_each(w.json, '$.labels') WHERE value = ${label})`,
  hasMarking: (markings, param) =>
    `EXISTS (SELECT 1 FROM json_each(w.json, '$.object_marking_refs') WHERE value IN (${markings.map(param).join(', ')}))`,
}

export class SqliteStore implements Store {
  readonly capabilities: StoreCapabilities = { concurrentWriters: false, onlineBackup: true }
  readonly db: SqliteDatabase
  readonly #sql: StatementCache
  /** Interior ledger nodes recently read (immutable once committed). */
  readonly #nodeCache = new NodeCache()
  readonly #durability: WalDurability | undefined
  readonly #knownViews = new KnownViews()

  constructor(path: string) {
    this.db = openSqlite(path)
    this.#sql = new StatementCache(this.db)
    this.#durability = walDurability(this.db, path)
  }

  /**
   * Every public method resolves only once the commits it could observe are on disk (see
   * WalDurability): installed here, on the prototype, so that no method, present or added later, can
   * hand out a result before its commit is durable. Only the ledger is written by another connection
   * (the ledger writer's thread), so only ledger reads wait for other connections' commits too.
   */
  static {
    const prototype = SqliteStore.prototype as unknown as Record<string, unknown>
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name)?.value
      if (name === 'constructor' || name === 'close' || typeof method !== 'function') continue
      const readsLedger = /ledger/i.test(name)
      Object.defineProperty(prototype, name, {
        value: async function settled(this: SqliteStore, ...args: unknown[]) {
          const result = await (method as (...a: unknown[]) => Promise<unknown>).apply(this, args)
          await this.#durability?.settle(readsLedger)
          return result
        },
        writable: true,
        configurable: true,
      })
    }
  }

  async close(): Promise<void> {
    await this.#durability?.settle()
    this.db.close()
  }

  async secret(name: string): Promise<Buffer> {
    const create = this.db.transaction(() => {
      const row = this.#sql.get('SELECT value FROM meta WHERE name = ?').get(`secret:${name}`) as
        | { value: Buffer }
        | undefined
      if (row) return row.value
      const value = randomBytes(32)
      this.#sql.get('INSERT INTO meta (name, value) VALUES (?, ?)').run(`secret:${name}`, value)
      return value
    })
    return create.immediate()
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    const rows = this.#sql.get('SELECT name, title, description FROM api_roots ORDER BY name').all() as {
      name: string
      title: string
      description: string | null
    }[]
    return rows.map((r) => ({
      name: r.name,
      title: r.title,
      ...(r.description ? { description: r.description } : {}),
    }))
  }

  async ensureApiRoot(root: ApiRootRecord): Promise<void> {
    this.#sql
      .get(
        `INSERT INTO api_roots (name, title, description) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET title = excluded.title, description = excluded.description`,
      )
      .run(root.name, root.title, root.description ?? null)
  }

  async listCollections(apiRoot?: string): Promise<CollectionRecord[]> {
    const rows = (
      apiRoot === undefined
        ? this.#sql.get('SELECT * FROM collections ORDER BY api_root, title, id').all()
        : this.#sql.get('SELECT * FROM collections WHERE api_root = ? ORDER BY title, id').all(apiRoot)
    ) as CollectionRow[]
    return rows.map(toCollection)
  }

  async getCollection(apiRoot: string, id: string): Promise<CollectionRecord | undefined> {
    const row = this.#sql
      .get('SELECT * FROM collections WHERE api_root = ? AND (id = ? OR alias = ?)')
      .get(apiRoot, id, id) as CollectionRow | undefined
    return row ? toCollection(row) : undefined
  }

  async createCollection(c: CollectionRecord): Promise<void> {
    this.db.transaction(() => {
      this.#sql
        .get(
          'INSERT INTO collections (id, api_root, title, description, alias, media_types) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(c.id, c.apiRoot, c.title, c.description ?? null, c.alias ?? null, JSON.stringify(c.mediaTypes))
      // a partner whose agreement covers every collection may see the new one at once
      this.#bumpPolicyVersion()
    })()
  }

  async putObjects(collectionId: string, items: IncomingObject[]): Promise<PutOutcome[]> {
    const write = this.db.transaction((): PutOutcome[] => {
      const lastRow = this.#sql.get("SELECT value FROM meta WHERE name = 'last_added_us'").get() as
        | { value: number | bigint }
        | undefined
      let lastAdded = lastRow ? Number(lastRow.value) : 0
      const clock = nowMicros()
      const outcomes = items.map((item) => {
        const outcome = this.#putOne(collectionId, item, () => {
          lastAdded = nextDateAdded(lastAdded, clock)
          return lastAdded
        })
        return outcome
      })
      this.#setMeta('last_added_us', lastAdded)
      if (outcomes.some((o, i) => o.result === 'added' && items[i]!.type === 'marking-definition'))
        this.#bumpPolicyVersion()
      return outcomes
    })
    return write.immediate()
  }

  #putOne(collectionId: string, item: IncomingObject, nextAdded: () => number): PutOutcome {
    const version = item.modified ?? item.created
    const key = storedVersionKey(item.modified)
    // one lookup gives both the same version, if stored, and the object's first and last version keys
    const others = this.#sql
      .get(
        'SELECT version_key AS k, CASE WHEN version_key = ? THEN json END AS json FROM objects WHERE id = ? AND collection_id = ?',
      )
      .all(key, item.id, collectionId) as { k: string; json: string | null }[]
    const existing = others.find((o) => o.k === key)
    if (existing) {
      if (existing.json !== null && sameContent(existing.json, item.json))
        return { id: item.id, version, result: 'unchanged' }
      return {
        id: item.id,
        version,
        result: 'conflict',
        message: item.modified
          ? 'a different object with this id and modified is already stored; a new version needs a later modified'
          : 'an object with this id is already stored with different content; objects without modified have one version',
      }
    }
    let lo: string | null = null
    let hi: string | null = null
    for (const o of others) {
      if (lo === null || o.k < lo) lo = o.k
      if (hi === null || o.k > hi) hi = o.k
    }
    const bounds = { lo, hi }
    const isFirst = bounds.lo === null || key < bounds.lo
    const isLast = bounds.hi === null || key > bounds.hi
    // the first version of an object has no earlier version to demote
    const hasOthers = bounds.lo !== null
    if (hasOthers && isFirst)
      this.#sql
        .get('UPDATE objects SET is_first = 0 WHERE collection_id = ? AND id = ? AND is_first = 1')
        .run(collectionId, item.id)
    if (hasOthers && isLast)
      this.#sql
        .get('UPDATE objects SET is_last = 0 WHERE collection_id = ? AND id = ? AND is_last = 1')
        .run(collectionId, item.id)
    const added = nextAdded()
    const viewId = item.policyView === undefined ? null : this.#internView(item.policyView.view)
    const result = this.#sql
      .get(
        `INSERT INTO objects (collection_id, id, type, version, version_key, spec_version, added_us, is_first, is_last, json, tlp_rank, view_id, endpoint_refs, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        collectionId,
        item.id,
        item.type,
        version ?? null,
        key,
        item.specVersion,
        added,
        isFirst ? 1 : 0,
        isLast ? 1 : 0,
        item.json,
        item.tlpRank ?? null,
        viewId,
        viewId !== null && item.policyView?.endpointRefs
          ? JSON.stringify(item.policyView.endpointRefs)
          : null,
        item.createdBy ?? null,
      )
    return {
      id: item.id,
      version,
      result: 'added',
      seq: Number(result.lastInsertRowid),
      dateAdded: formatMicros(added),
    }
  }

  /** The view's id once its text is stored under it, or null when another text holds the id. */
  #internView(text: string): number | null {
    const id = policyViewId(text)
    const verdict = this.#knownViews.verdict(id, text)
    if (verdict !== 'unknown') return verdict === 'held' ? id : null
    this.#sql.get('INSERT OR IGNORE INTO policy_views (id, text) VALUES (?, ?)').run(id, text)
    const held = (this.#sql.get('SELECT text FROM policy_views WHERE id = ?').get(id) as { text: string })
      .text
    this.#knownViews.add(id, held)
    return held === text ? id : null
  }

  async queryObjects(query: ObjectQuery): Promise<ObjectBatch> {
    const bounded = this.#addedAfterAsSeq(query)
    if (!bounded) return { items: [], exhausted: true }
    const withGate = query.gateFacts === true
    const { sql, params } = objectQuerySql(bounded, withGate)
    const rows = this.#sql.raw(sql).all(...params) as unknown[][]
    const exhausted = rows.length <= query.limit
    if (!exhausted) rows.pop()
    return { items: rows.map((row) => tupleToStoredVersion(row, withGate)), exhausted }
  }

  /**
   * seq and date_added rise together, so "added after T" is "seq from the first
   * version added after T": one index probe, after which the query is a plain
   * seq range (SQLite would otherwise sort every later row by seq).
   */
  #addedAfterAsSeq(query: ObjectQuery): ObjectQuery | undefined {
    if (query.addedAfter === undefined) return query
    const { addedAfter, ...rest } = query
    const first = this.#sql
      .get('SELECT seq FROM objects WHERE collection_id = ? AND added_us > ? ORDER BY added_us LIMIT 1')
      .get(query.collectionId, toMicros(addedAfter) ?? 0) as { seq: number } | undefined
    if (!first) return undefined
    return { ...rest, afterSeq: Math.max(query.afterSeq ?? 0, first.seq - 1) }
  }

  async searchObjects(query: ObjectSearch): Promise<ObjectSearchBatch> {
    return runSearch(query, SQLITE_SEARCH, (sql, params) => this.#sql.get(sql).all(...params) as never)
  }

  async latestVersions(ids: string[]): Promise<StoredVersion[]> {
    if (ids.length === 0) return []
    const rows = this.#sql
      .get(
        `SELECT ${OBJECT_COLUMNS} FROM objects WHERE id IN (${ids.map(() => '?').join(', ')}) AND is_last = 1 ORDER BY seq`,
      )
      .all(...ids) as ObjectRow[]
    return rows.map(toStoredVersion)
  }

  async latestEndpointVersions(ids: string[]): Promise<EndpointVersion[]> {
    if (ids.length === 0) return []
    const rows = this.#sql
      .get(
        `SELECT id, collection_id, version, ${GATE_COLUMNS}, CASE WHEN view_id IS NULL THEN json END AS json
         FROM objects WHERE id IN (SELECT value FROM json_each(?)) AND is_last = 1 ORDER BY seq`,
      )
      .all(JSON.stringify(ids)) as EndpointRow[]
    return rows.map(toEndpointVersion)
  }

  async policyViews(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map()
    const rows = this.#sql
      .get('SELECT id, text FROM policy_views WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids)) as { id: number; text: string }[]
    return new Map(rows.map((r) => [r.id, r.text]))
  }

  async deleteObject(
    collectionId: string,
    id: string,
    versions?: VersionSelector[],
    specVersions?: string[],
  ): Promise<number> {
    const remove = this.db.transaction(() => {
      const params: unknown[] = [collectionId, id]
      const conditions = ['collection_id = ?', 'id = ?']
      const versionSql = versionCondition(versions ?? [{ kind: 'all' }], (v) => {
        params.push(v)
        return '?'
      })
      if (versionSql) conditions.push(versionSql)
      if (specVersions?.length) {
        conditions.push(`spec_version IN (${specVersions.map(() => '?').join(', ')})`)
        params.push(...specVersions)
      }
      const removed = this.#sql
        .get(`DELETE FROM objects WHERE ${conditions.join(' AND ')}`)
        .run(...params).changes
      if (removed > 0) {
        this.#refreshEnds(collectionId, id)
        this.#setMeta('objects_deleted', this.#meta('objects_deleted') + 1)
      }
      // the compiled policy resolves markings: a cached one must not keep a deleted definition
      if (removed > 0 && id.startsWith('marking-definition--')) this.#bumpPolicyVersion()
      return removed
    })
    return remove.immediate()
  }

  /** After a delete the first/last flags may point at rows that are gone. */
  #refreshEnds(collectionId: string, id: string): void {
    this.#sql
      .get(
        `UPDATE objects SET
           is_first = (version_key = (SELECT min(version_key) FROM objects WHERE collection_id = @c AND id = @i)),
           is_last = (version_key = (SELECT max(version_key) FROM objects WHERE collection_id = @c AND id = @i))
         WHERE collection_id = @c AND id = @i`,
      )
      .run({ c: collectionId, i: id })
  }

  async countObjects(collectionId: string): Promise<number> {
    const row = this.#sql
      .get('SELECT count(*) AS n FROM objects WHERE collection_id = ?')
      .get(collectionId) as { n: number }
    return row.n
  }

  async putStatus(status: StatusRecord): Promise<void> {
    this.#sql
      .get(
        `INSERT INTO statuses (id, api_root, principal_id, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
      )
      .run(status.id, status.apiRoot, status.principalId, JSON.stringify(status))
  }

  async getStatus(apiRoot: string, id: string): Promise<StatusRecord | undefined> {
    const row = this.#sql.get('SELECT body FROM statuses WHERE api_root = ? AND id = ?').get(apiRoot, id) as
      | { body: string }
      | undefined
    return row ? (JSON.parse(row.body) as StatusRecord) : undefined
  }

  async createPrincipal(p: PrincipalRecord, key: ApiKeyRecord): Promise<void> {
    this.db.transaction(() => {
      this.#sql
        .get(
          'INSERT INTO principals (id, name, role, partner_id, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(p.id, p.name, p.role, p.partnerId ?? null, p.createdAt, p.revokedAt ?? null)
      this.#insertKey(key)
    })()
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    const row = this.#sql.get('SELECT * FROM principals WHERE id = ?').get(id) as PrincipalRow | undefined
    return row ? toPrincipal(row) : undefined
  }

  async listPrincipals(): Promise<PrincipalRecord[]> {
    return (this.#sql.get('SELECT * FROM principals ORDER BY created_at, id').all() as PrincipalRow[]).map(
      toPrincipal,
    )
  }

  async addApiKey(key: ApiKeyRecord): Promise<void> {
    this.#insertKey(key)
  }

  #insertKey(key: ApiKeyRecord): void {
    this.#sql
      .get(
        `INSERT INTO api_keys (key_id, principal_id, secret_hash, created_at, revoked_at, expires_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        key.keyId,
        key.principalId,
        key.secretHash,
        key.createdAt,
        key.revokedAt ?? null,
        key.expiresAt ?? null,
        key.lastUsedAt ?? null,
      )
  }

  async getApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const row = this.#sql.get('SELECT * FROM api_keys WHERE key_id = ?').get(keyId) as ApiKeyRow | undefined
    return row ? toApiKey(row) : undefined
  }

  async listApiKeys(principalId: string): Promise<ApiKeyRecord[]> {
    const rows = this.#sql
      .get('SELECT * FROM api_keys WHERE principal_id = ? ORDER BY created_at, key_id')
      .all(principalId) as ApiKeyRow[]
    return rows.map(toApiKey)
  }

  async updateApiKey(keyId: string, change: ApiKeyChange): Promise<boolean> {
    const result = this.#sql
      .get(
        `UPDATE api_keys SET
           revoked_at = COALESCE(revoked_at, @revoked),
           expires_at = COALESCE(@expires, expires_at),
           last_used_at = COALESCE(@used, last_used_at)
         WHERE key_id = @key`,
      )
      .run({
        key: keyId,
        revoked: change.revokedAt ?? null,
        expires: change.expiresAt ?? null,
        used: change.lastUsedAt ?? null,
      })
    return result.changes > 0
  }

  async revokePrincipal(id: string, at: string): Promise<boolean> {
    return this.db.transaction(() => {
      const changed = this.#sql
        .get('UPDATE principals SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(at, id).changes
      this.#sql
        .get('UPDATE api_keys SET revoked_at = ? WHERE principal_id = ? AND revoked_at IS NULL')
        .run(at, id)
      return changed > 0
    })()
  }

  async setGrant(g: CollectionGrant): Promise<void> {
    this.#sql
      .get(
        `INSERT INTO grants (principal_id, collection_id, can_read, can_write) VALUES (?, ?, ?, ?)
         ON CONFLICT (principal_id, collection_id) DO UPDATE SET can_read = excluded.can_read, can_write = excluded.can_write`,
      )
      .run(g.principalId, g.collectionId, g.canRead ? 1 : 0, g.canWrite ? 1 : 0)
  }

  async listGrants(principalId: string): Promise<CollectionGrant[]> {
    const rows = this.#sql.get('SELECT * FROM grants WHERE principal_id = ?').all(principalId) as {
      principal_id: string
      collection_id: string
      can_read: number
      can_write: number
    }[]
    return rows.map((r) => ({
      principalId: r.principal_id,
      collectionId: r.collection_id,
      canRead: r.can_read === 1,
      canWrite: r.can_write === 1,
    }))
  }

  #setMeta(name: string, value: number): void {
    this.#sql
      .get(
        'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      )
      .run(name, value)
  }

  #meta(name: string): number {
    const row = this.#sql.get('SELECT value FROM meta WHERE name = ?').get(name) as
      | { value: number | bigint }
      | undefined
    return row ? Number(row.value) : 0
  }

  #bumpPolicyVersion(): void {
    this.#setMeta('policy_version', this.#meta('policy_version') + 1)
  }

  async appendPolicy(
    records: PolicyRecord[],
    ledger: LedgerAppend[],
    ifPolicyVersion?: number,
  ): Promise<LedgerPosition[][]> {
    const write = this.db.transaction(() => {
      // read under the write lock `immediate` takes, so no other process can change it before the insert
      if (ifPolicyVersion !== undefined && this.#meta('policy_version') !== ifPolicyVersion)
        throw new PolicyChangedError()
      const insert = this.#sql.get(
        'INSERT INTO policy_records (kind, id, recorded_at, body) VALUES (?, ?, ?, ?)',
      )
      for (const r of records) insert.run(r.kind, r.id, r.recordedAt, r.body)
      this.#bumpPolicyVersion()
      return this.#appendLedger(ledger)
    })
    return write.immediate()
  }

  async loadPolicy(): Promise<PolicyRecord[]> {
    return this.#sql
      .get('SELECT kind, id, recorded_at AS recordedAt, body FROM policy_records ORDER BY seq')
      .all() as PolicyRecord[]
  }

  async policyVersion(): Promise<number> {
    return this.#meta('policy_version')
  }

  async objectsVersion(): Promise<string> {
    // date_added rises with every version added; deletes are counted
    return `${this.#meta('last_added_us')}:${this.#meta('objects_deleted')}`
  }

  async listMarkingDefinitions(): Promise<StoredVersion[]> {
    const rows = this.#sql.get(MARKING_DEFINITIONS_QUERY).all() as ObjectRow[]
    return rows.map(toStoredVersion)
  }

  async appendLedger(entries: LedgerAppend[]): Promise<LedgerPosition[][]> {
    if (entries.length === 0) return []
    return this.db.transaction(() => this.#appendLedger(entries)).immediate()
  }

  async appendLedgerWithStates(
    entries: LedgerAppend[],
    documents: readonly StateDocument[],
    expect?: StateExpectation,
  ): Promise<LedgerPosition[][] | undefined> {
    const write = this.db.transaction(() => {
      // read under the write lock `immediate` takes: no other connection can write between it and ours
      if (expect !== undefined && this.#stateValue(expect.name) !== expect.value) return undefined
      this.#putStates(documents)
      return this.#appendLedger(entries)
    })
    return write.immediate()
  }

  #appendLedger(entries: LedgerAppend[]): LedgerPosition[][] {
    if (entries.length === 0) return []
    const logIds = [...new Set(entries.flatMap((e) => e.logs))]
    const heads = new Map(logIds.map((id) => [id, this.#head(id)]))
    const plan = planLedgerAppend(heads, entries)
    const insert = this.#sql.get(
      'INSERT INTO ledger_chunks (log_id, start, count, ref_chunk, ref_offset, nodes, ends, key_hashes, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const ids: number[] = []
    for (const c of plan.chunks) {
      const ref = c.ref === null ? null : ids[c.ref]!
      const id = Number(
        insert.run(c.logId, c.start, c.count, ref, c.refOffset, c.nodes, c.ends, c.keyHashes, c.bytes)
          .lastInsertRowid,
      )
      if (c.hashes)
        this.#sql.get('INSERT INTO ledger_chunk_hashes (chunk_id, hashes) VALUES (?, ?)').run(id, c.hashes)
      ids.push(id)
    }
    const head = this.#sql.get(
      'INSERT INTO ledger_heads (log_id, size, frontier) VALUES (?, ?, ?) ON CONFLICT (log_id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier',
    )
    for (const h of plan.heads) head.run(h.logId, h.size, packFrontier(h.frontier))
    return plan.positions
  }

  #head(logId: string): LedgerHead {
    const row = this.#sql.get('SELECT size, frontier FROM ledger_heads WHERE log_id = ?').get(logId) as
      | { size: number; frontier: Buffer }
      | undefined
    return row
      ? { logId, size: row.size, frontier: unpackFrontier(row.frontier) }
      : { logId, size: 0, frontier: [] }
  }

  /** A chunk row; its leaves (or the referenced chunk's) are read when first asked for. */
  #chunk(row: SqliteChunkRow): ChunkRow {
    return {
      start: row.start,
      count: row.count,
      nodes: row.nodes,
      refOffset: row.ref_offset,
      leaves: once(
        async () =>
          this.#sql
            .get('SELECT ends, bytes, keys, key_hashes FROM ledger_chunks WHERE id = ?')
            .get(row.ref_chunk ?? row.id) as StoredLeaves,
      ),
      leafHash: async (i) => this.#leafHash(row.ref_chunk ?? row.id, i),
    }
  }

  /** The hash of stored leaf `i` of chunk `id`: stored, or (a chunk written without hashes) computed. */
  #leafHash(id: number, i: number): Uint8Array | undefined {
    const stored = this.#sql
      .get('SELECT substr(hashes, ?, ?) AS hash FROM ledger_chunk_hashes WHERE chunk_id = ?')
      .get(...hashSlice(i), id) as { hash: Buffer } | undefined
    if (stored) return stored.hash.length === HASH_SIZE ? stored.hash : undefined
    const bytes = this.#leaf(id, i)
    return bytes && leafHash(bytes)
  }

  /** Stored leaf `i` of chunk `id` alone: its end offsets, then its bytes (not the whole run). */
  #leaf(id: number, i: number): Buffer | undefined {
    const ends = this.#sql
      .get('SELECT substr(ends, ?, ?) AS slice FROM ledger_chunks WHERE id = ?')
      .get(...endsSlice(i), id) as { slice: Buffer | null } | undefined
    if (!ends?.slice || ends.slice.length < (i === 0 ? 4 : 8)) return undefined
    const [from, to] = leafRange(ends.slice, i)
    const leaf = this.#sql
      .get('SELECT substr(bytes, ?, ?) AS bytes FROM ledger_chunks WHERE id = ?')
      .get(from + 1, to - from, id) as { bytes: Buffer | null } | undefined
    return leaf?.bytes ?? undefined
  }

  /** The chunk holding leaf `index` of the log, if the log has that leaf. */
  #chunkAt(logId: string, index: number): SqliteChunkRow | undefined {
    const row = this.#sql
      .get(
        `SELECT ${SQLITE_CHUNK_COLUMNS} FROM ledger_chunks WHERE log_id = ? AND start <= ? ORDER BY start DESC LIMIT 1`,
      )
      .get(logId, index) as SqliteChunkRow | undefined
    return row && index < row.start + row.count ? row : undefined
  }

  async ledgerHead(logId: string): Promise<LedgerHead> {
    return this.#head(logId)
  }

  async ledgerLogs(): Promise<{ logId: string; size: number }[]> {
    return this.#sql.get('SELECT log_id AS logId, size FROM ledger_heads ORDER BY log_id').all() as {
      logId: string
      size: number
    }[]
  }

  async ledgerNodes(logId: string, keys: readonly NodeKeyRef[]): Promise<Map<string, Uint8Array>> {
    return this.#nodeCache.nodes(logId, keys, (missing) => this.#readNodes(logId, missing))
  }

  async #readNodes(logId: string, keys: readonly NodeKeyRef[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>()
    // each chunk holding a completing leaf once, ascending (one indexed read per chunk)
    const chunks: ChunkRow[] = []
    for (const leaf of completingLeaves(keys)) {
      const last = chunks[chunks.length - 1]
      if (last && leaf < last.start + last.count) continue
      const row = this.#chunkAt(logId, leaf)
      if (row) chunks.push(this.#chunk(row))
    }
    for (const k of keys) {
      const chunk = chunkHolding(chunks, completingLeaf(k))
      const hash = chunk && (await chunkNode(chunk, k))
      if (hash) out.set(`${k.level}/${k.index}`, hash)
    }
    return out
  }

  async ledgerLeaves(logId: string, start: number, end: number): Promise<LedgerLeaf[]> {
    if (end <= start) return []
    const rows = this.#sql
      .get(
        `SELECT ${SQLITE_CHUNK_COLUMNS} FROM ledger_chunks WHERE log_id = ? AND start < ? AND start >= coalesce(
           (SELECT start FROM ledger_chunks WHERE log_id = ? AND start <= ? ORDER BY start DESC LIMIT 1), 0)
         ORDER BY start`,
      )
      .all(logId, end, logId, start) as SqliteChunkRow[]
    const out: LedgerLeaf[] = []
    for (const row of rows) out.push(...(await chunkLeaves(this.#chunk(row), start, end)))
    return out
  }

  async findLedgerLeaves(logId: string, objectKey: string): Promise<LedgerLeaf[]> {
    // a substring test in SQL narrows the chunks down (the key, or its hash); the keys are then compared exactly
    const rows = this.#sql
      .get(
        `SELECT c.id, c.start, c.count, c.ref_chunk, c.ref_offset, c.nodes FROM ledger_chunks c
         LEFT JOIN ledger_chunks r ON r.id = c.ref_chunk
         WHERE c.log_id = ? AND (instr(coalesce(r.keys, c.keys), ?) > 0
           OR instr(coalesce(r.key_hashes, c.key_hashes), ?) > 0) ORDER BY c.start`,
      )
      .all(logId, JSON.stringify(objectKey), keyHashBytes(objectKey)) as SqliteChunkRow[]
    const out: LedgerLeaf[] = []
    for (const row of rows) out.push(...(await chunkKeyMatches(this.#chunk(row), objectKey)))
    return out
  }

  async saveCheckpoint(c: CheckpointRecord): Promise<void> {
    this.#sql
      .get('INSERT INTO checkpoints (log_id, size, created_at, note) VALUES (?, ?, ?, ?)')
      .run(c.logId, c.size, c.createdAt, c.note)
  }

  async listCheckpoints(logId: string, limit: number): Promise<CheckpointRecord[]> {
    return this.#sql
      .get(
        'SELECT log_id AS logId, size, created_at AS createdAt, note FROM checkpoints WHERE log_id = ? ORDER BY seq DESC LIMIT ?',
      )
      .all(logId, limit) as CheckpointRecord[]
  }

  async getState(name: string): Promise<string | undefined> {
    return this.#stateValue(name)
  }

  #stateValue(name: string): string | undefined {
    return (
      this.#sql.get('SELECT value FROM state WHERE name = ?').get(name) as { value: string } | undefined
    )?.value
  }

  putState(name: string, value: string): Promise<void> {
    return this.putStates([{ name, value }])
  }

  async putStates(documents: readonly StateDocument[]): Promise<void> {
    this.db.transaction(() => this.#putStates(documents))()
  }

  #putStates(documents: readonly StateDocument[]): void {
    const put = this.#sql.get(
      'INSERT INTO state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    )
    for (const d of documents) put.run(d.name, d.value)
  }

  async listState(prefix: string): Promise<{ name: string; value: string }[]> {
    // range scan instead of LIKE, so prefixes may contain % and _
    return this.#sql
      .get('SELECT name, value FROM state WHERE name >= ? AND name < ? ORDER BY name')
      .all(prefix, `${prefix}\uffff`) as { name: string; value: string }[]
  }

  async deleteState(name: string): Promise<void> {
    this.#sql.get('DELETE FROM state WHERE name = ?').run(name)
  }

  async addProvenance(records: ProvenanceRecord[]): Promise<void> {
    const insert = this.#sql.get(
      'INSERT INTO provenance (collection_id, object_id, version, feed_id, partner_id, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.db.transaction(() => {
      for (const r of records)
        insert.run(r.collectionId, r.objectId, r.version, r.feedId, r.partnerId, r.receivedAt)
    })()
  }

  async backup(destination: string): Promise<void> {
    // After the first small step, copy the rest in one step: it reads one WAL snapshot, so writers in
    // other processes keep committing meanwhile and cannot force the copy to restart over and over.
    await this.db.backup(destination, { progress: () => 0x7fffffff })
  }

  async hasProvenance(): Promise<boolean> {
    return this.#sql.get('SELECT 1 FROM provenance LIMIT 1').get() !== undefined
  }

  async provenance(objectIds: string[]): Promise<ProvenanceRecord[]> {
    if (objectIds.length === 0) return []
    return this.#sql
      .get(
        `SELECT collection_id AS collectionId, object_id AS objectId, version, feed_id AS feedId, partner_id AS partnerId, received_at AS receivedAt
         FROM provenance WHERE object_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`,
      )
      .all(JSON.stringify(objectIds)) as ProvenanceRecord[]
  }
}
