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
  keyHashBytes,
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
import { formatMicros, nextDateAdded, storedVersionKey } from '../time.js'
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
import {
  inTransaction,
  LEDGER_LOCK,
  OBJECT_WRITE_LOCK,
  type PgClient,
  type PgPool,
  type PgQueryable,
} from './connection.js'
import { ObjectStatistics } from './object-statistics.js'

const numbered = (index: number) => `$${index}`
const notInJsonList = (column: string, list: string) =>
  `NOT (${column} = ANY (ARRAY(SELECT jsonb_array_elements_text(${list}::jsonb)::bigint)))`

/** translate() folds A–Z only, whatever the database's collation: the folding searchObjects promises. */
const POSTGRES_SEARCH: SearchDialect = {
  placeholder: numbered,
  containsText: (needle) =>
    `strpos(translate(w.json, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), ${needle}::text) > 0`,
  hasLabel: (label) => `(w.json::jsonb -> 'labels') @> jsonb_build_array(${label}::text)`,
  hasMarking: (markings, param) => `(w.json::jsonb -> 'object_marking_refs') ?| ${param(markings)}::text[]`,
}

/** A version about to be inserted; its flags may still change while the batch is planned. */
interface NewRow {
  item: IncomingObject
  version: string | undefined
  key: string
  seq: number
  addedUs: number
  isFirst: boolean
  isLast: boolean
}

/** What the batch knows about one object id: its stored bounds and the new rows holding an end. */
interface IdState {
  lo: string | null
  hi: string | null
  firstRow: NewRow | undefined
  lastRow: NewRow | undefined
  demoteStoredFirst: boolean
  demoteStoredLast: boolean
}

/**
 * PostgreSQL adapter. Several processes may share one database: every object
 * write (put or delete) takes one transaction-scoped advisory lock, and sequence
 * numbers and date_added come from a one-row counter read and written under it.
 * A lock is released only after its transaction's commit is visible, so versions
 * become visible in sequence order and a reader paging by `seq` never skips one.
 *
 * The ledger is one log however many processes append to it: every append (and
 * every policy append, which carries ledger entries) takes the ledger lock and
 * only then reads the heads it extends, so no two appends plan from the same head.
 *
 * Backups are PostgreSQL's own business (pg_dump, base backups): `backup` does
 * not write a Sluice backup file, and the capability says so.
 */
export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities = { concurrentWriters: true, onlineBackup: false }
  readonly #pool: PgPool
  /** Interior ledger nodes recently read (immutable once committed). */
  readonly #nodeCache = new NodeCache()
  readonly #knownViews = new KnownViews()
  readonly #statistics: ObjectStatistics

  /** Takes a pool whose schema is already migrated (see `openPostgresStore`). */
  constructor(pool: PgPool) {
    this.#pool = pool
    this.#statistics = new ObjectStatistics(pool)
  }

  /** Resolves once the planner statistics this store keeps are up to date with its own writes. */
  statisticsSettled(): Promise<void> {
    return this.#statistics.idle()
  }

  async close(): Promise<void> {
    await this.#statistics.idle()
    await this.#pool.end()
  }

  async secret(name: string): Promise<Buffer> {
    // Two statements, each with its own snapshot: a concurrent first use either loses the
    // insert (waiting for the winner to commit) and then reads the winner's value.
    await this.#pool.query('INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      `secret:${name}`,
      randomBytes(32),
    ])
    const { rows } = await this.#pool.query<{ value: Buffer }>('SELECT value FROM meta WHERE name = $1', [
      `secret:${name}`,
    ])
    const row = rows[0]
    if (!row) throw new Error(`secret ${name} vanished after being created`)
    return row.value
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    const { rows } = await this.#pool.query<{ name: string; title: string; description: string | null }>(
      'SELECT name, title, description FROM api_roots ORDER BY name',
    )
    return rows.map((r) => ({
      name: r.name,
      title: r.title,
      ...(r.description ? { description: r.description } : {}),
    }))
  }

  async ensureApiRoot(root: ApiRootRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO api_roots (name, title, description) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET title = excluded.title, description = excluded.description`,
      [root.name, root.title, root.description ?? null],
    )
  }

  async listCollections(apiRoot?: string): Promise<CollectionRecord[]> {
    const { rows } =
      apiRoot === undefined
        ? await this.#pool.query<CollectionRow>('SELECT * FROM collections ORDER BY api_root, title, id')
        : await this.#pool.query<CollectionRow>(
            'SELECT * FROM collections WHERE api_root = $1 ORDER BY title, id',
            [apiRoot],
          )
    return rows.map(toCollection)
  }

  async getCollection(apiRoot: string, id: string): Promise<CollectionRecord | undefined> {
    const { rows } = await this.#pool.query<CollectionRow>(
      'SELECT * FROM collections WHERE api_root = $1 AND (id = $2 OR alias = $2) ORDER BY id = $2 DESC LIMIT 1',
      [apiRoot, id],
    )
    return rows[0] ? toCollection(rows[0]) : undefined
  }

  async createCollection(c: CollectionRecord): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        'INSERT INTO collections (id, api_root, title, description, alias, media_types) VALUES ($1, $2, $3, $4, $5, $6)',
        [c.id, c.apiRoot, c.title, c.description ?? null, c.alias ?? null, c.mediaTypes],
      )
      // a partner whose agreement covers every collection may see the new one at once
      await bumpPolicyVersion(client)
    })
  }

  async putObjects(collectionId: string, items: IncomingObject[]): Promise<PutOutcome[]> {
    if (items.length === 0) return []
    const outcomes = await this.#putObjects(collectionId, items)
    this.#statistics.noteAdded(outcomes.reduce((n, o) => (o.result === 'added' ? n + 1 : n), 0))
    return outcomes
  }

  #putObjects(collectionId: string, items: IncomingObject[]): Promise<PutOutcome[]> {
    return inTransaction(this.#pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [OBJECT_WRITE_LOCK.toString()])
      const clock = await client.query<{ last_seq: number; last_added_us: number; now_us: number }>(
        `SELECT last_seq, last_added_us, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_us
         FROM object_clock`,
      )
      const counter = clock.rows[0]
      if (!counter) throw new Error('object_clock row is missing')
      let lastSeq = counter.last_seq
      let lastAdded = counter.last_added_us
      const now = counter.now_us

      const keyed = items.map((item) => ({
        item,
        version: item.modified ?? item.created,
        key: storedVersionKey(item.modified),
      }))
      const stored = await this.#storedJson(client, collectionId, keyed)
      const states = await this.#storedBounds(client, collectionId, [...new Set(items.map((i) => i.id))])

      const planned = new Map<string, NewRow>()
      const rows: NewRow[] = []
      const outcomes = keyed.map(({ item, version, key }): PutOutcome => {
        const slot = `${item.id}\u0000${key}`
        const existing = stored.get(slot) ?? planned.get(slot)?.item.json
        if (existing !== undefined) {
          if (sameContent(existing, item.json)) return { id: item.id, version, result: 'unchanged' }
          return {
            id: item.id,
            version,
            result: 'conflict',
            message: item.modified
              ? 'a different object with this id and modified is already stored; a new version needs a later modified'
              : 'an object with this id is already stored with different content; objects without modified have one version',
          }
        }
        const state = states.get(item.id) ?? newState()
        states.set(item.id, state)
        lastSeq += 1
        lastAdded = nextDateAdded(lastAdded, now)
        const row: NewRow = {
          item,
          version,
          key,
          seq: lastSeq,
          addedUs: lastAdded,
          isFirst: false,
          isLast: false,
        }
        if (state.lo === null || key < state.lo) {
          if (state.firstRow) state.firstRow.isFirst = false
          else if (state.lo !== null) state.demoteStoredFirst = true
          state.lo = key
          state.firstRow = row
          row.isFirst = true
        }
        if (state.hi === null || key > state.hi) {
          if (state.lastRow) state.lastRow.isLast = false
          else if (state.hi !== null) state.demoteStoredLast = true
          state.hi = key
          state.lastRow = row
          row.isLast = true
        }
        planned.set(slot, row)
        rows.push(row)
        return { id: item.id, version, result: 'added', seq: row.seq, dateAdded: formatMicros(row.addedUs) }
      })
      if (rows.length === 0) return outcomes

      const demoteFirst = [...states].filter(([, s]) => s.demoteStoredFirst).map(([id]) => id)
      const demoteLast = [...states].filter(([, s]) => s.demoteStoredLast).map(([id]) => id)
      if (demoteFirst.length > 0) {
        await client.query(
          'UPDATE objects SET is_first = 0 WHERE collection_id = $1 AND id = ANY($2::text[]) AND is_first = 1',
          [collectionId, demoteFirst],
        )
      }
      if (demoteLast.length > 0) {
        await client.query(
          'UPDATE objects SET is_last = 0 WHERE collection_id = $1 AND id = ANY($2::text[]) AND is_last = 1',
          [collectionId, demoteLast],
        )
      }
      const viewIds = await this.#internViews(
        client,
        rows.map((r) => r.item.policyView?.view),
      )
      await client.query(
        `INSERT INTO objects (seq, collection_id, id, type, version, version_key, spec_version, added_us, is_first, is_last, json, tlp_rank, view_id, endpoint_refs, created_by)
         SELECT seq, $1, id, type, version, version_key, spec_version, added_us, is_first, is_last, json, tlp_rank, view_id, endpoint_refs, created_by
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::smallint[], $10::smallint[], $11::text[], $12::smallint[], $13::bigint[], $14::text[], $15::text[])
           AS n(seq, id, type, version, version_key, spec_version, added_us, is_first, is_last, json, tlp_rank, view_id, endpoint_refs, created_by)`,
        [
          collectionId,
          rows.map((r) => r.seq),
          rows.map((r) => r.item.id),
          rows.map((r) => r.item.type),
          rows.map((r) => r.version ?? null),
          rows.map((r) => r.key),
          rows.map((r) => r.item.specVersion),
          rows.map((r) => r.addedUs),
          rows.map((r) => (r.isFirst ? 1 : 0)),
          rows.map((r) => (r.isLast ? 1 : 0)),
          rows.map((r) => r.item.json),
          rows.map((r) => r.item.tlpRank ?? null),
          viewIds,
          rows.map((r, i) =>
            viewIds[i] !== null && r.item.policyView?.endpointRefs
              ? JSON.stringify(r.item.policyView.endpointRefs)
              : null,
          ),
          rows.map((r) => r.item.createdBy ?? null),
        ],
      )
      await client.query('UPDATE object_clock SET last_seq = $1, last_added_us = $2', [lastSeq, lastAdded])
      if (rows.some((r) => r.item.type === 'marking-definition')) await bumpPolicyVersion(client)
      return outcomes
    })
  }

  /**
   * Each view's id once its text is stored under it (null for no view, or when another text holds the
   * id). Ids come from the text, so concurrent writers of one text insert the same row.
   */
  async #internViews(client: PgClient, views: (string | undefined)[]): Promise<(number | null)[]> {
    const ids = views.map((v) => (v === undefined ? null : policyViewId(v)))
    const fresh = new Map<number, string>()
    views.forEach((v, i) => {
      const id = ids[i]
      if (v !== undefined && id != null && this.#knownViews.verdict(id, v) === 'unknown') fresh.set(id, v)
    })
    if (fresh.size > 0) {
      await client.query(
        `INSERT INTO policy_views (id, text) SELECT * FROM unnest($1::bigint[], $2::text[])
         ON CONFLICT (id) DO NOTHING`,
        [[...fresh.keys()], [...fresh.values()]],
      )
      const { rows } = await client.query<{ id: string; text: string }>(
        'SELECT id, text FROM policy_views WHERE id = ANY($1::bigint[])',
        [[...fresh.keys()]],
      )
      for (const r of rows) this.#knownViews.add(Number(r.id), r.text)
    }
    // each version against the text its id holds: two texts of one batch sharing an id cannot both pass
    return ids.map((id, i) => (id !== null && this.#knownViews.verdict(id, views[i]!) === 'held' ? id : null))
  }

  /** The stored bytes of those (id, version) pairs of the batch that already exist. */
  async #storedJson(
    client: PgClient,
    collectionId: string,
    keyed: { item: IncomingObject; key: string }[],
  ): Promise<Map<string, string>> {
    const { rows } = await client.query<{ id: string; version_key: string; json: string }>(
      `SELECT o.id, o.version_key, o.json
       FROM unnest($2::text[], $3::text[]) AS k(id, version_key)
       JOIN objects o ON o.collection_id = $1 AND o.id = k.id AND o.version_key = k.version_key`,
      [collectionId, keyed.map((k) => k.item.id), keyed.map((k) => k.key)],
    )
    return new Map(rows.map((r) => [`${r.id}\u0000${r.version_key}`, r.json]))
  }

  /** The lowest and highest stored version of each id in the collection. */
  async #storedBounds(client: PgClient, collectionId: string, ids: string[]): Promise<Map<string, IdState>> {
    const { rows } = await client.query<{ id: string; lo: string; hi: string }>(
      `SELECT id, min(version_key) AS lo, max(version_key) AS hi
       FROM objects WHERE collection_id = $1 AND id = ANY($2::text[]) GROUP BY id`,
      [collectionId, ids],
    )
    return new Map(rows.map((r) => [r.id, { ...newState(), lo: r.lo, hi: r.hi }]))
  }

  async queryObjects(query: ObjectQuery): Promise<ObjectBatch> {
    const { where, params } = objectQueryWhere(query, numbered, notInJsonList)
    // seq and added_us rise together (both are assigned under the object-write lock), so the
    // order is the same either way; with only added_after, walking the added_us index lets
    // the database start at the position instead of filtering from the collection's start.
    const order = query.addedAfter !== undefined && query.afterSeq === undefined ? 'added_us' : 'seq'
    const withGate = query.gateFacts === true
    const columns = withGate ? `${OBJECT_COLUMNS}, ${GATE_COLUMNS}` : OBJECT_COLUMNS
    const { rows } = await this.#pool.query({
      text: `SELECT ${columns} FROM objects WHERE ${where} ORDER BY ${order} LIMIT $${params.length + 1}`,
      values: [...params, query.limit + 1],
      rowMode: 'array',
    })
    const exhausted = rows.length <= query.limit
    if (!exhausted) rows.pop()
    return { items: rows.map((row) => tupleToStoredVersion(row, withGate)), exhausted }
  }

  async searchObjects(query: ObjectSearch): Promise<ObjectSearchBatch> {
    return runSearch(
      query,
      POSTGRES_SEARCH,
      async (sql, params) => (await this.#pool.query(sql, params)).rows,
    )
  }

  async latestVersions(ids: string[]): Promise<StoredVersion[]> {
    if (ids.length === 0) return []
    const { rows } = await this.#pool.query<ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM objects WHERE id = ANY($1::text[]) AND is_last = 1 ORDER BY seq`,
      [ids],
    )
    return rows.map(toStoredVersion)
  }

  async latestEndpointVersions(ids: string[]): Promise<EndpointVersion[]> {
    if (ids.length === 0) return []
    const { rows } = await this.#pool.query<EndpointRow>(
      `SELECT id, collection_id, version, ${GATE_COLUMNS}, CASE WHEN view_id IS NULL THEN json END AS json
       FROM objects WHERE id = ANY($1::text[]) AND is_last = 1 ORDER BY seq`,
      [ids],
    )
    return rows.map(toEndpointVersion)
  }

  async policyViews(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map()
    const { rows } = await this.#pool.query<{ id: string; text: string }>(
      'SELECT id, text FROM policy_views WHERE id = ANY($1::bigint[])',
      [ids],
    )
    return new Map(rows.map((r) => [Number(r.id), r.text]))
  }

  async deleteObject(
    collectionId: string,
    id: string,
    versions?: VersionSelector[],
    specVersions?: string[],
  ): Promise<number> {
    return inTransaction(this.#pool, async (client) => {
      // The same lock as putObjects: a concurrent put must not plan first/last flags from
      // bounds this delete is about to change.
      await client.query('SELECT pg_advisory_xact_lock($1)', [OBJECT_WRITE_LOCK.toString()])
      const params: unknown[] = [collectionId, id]
      const param = (value: unknown) => {
        params.push(value)
        return `$${params.length}`
      }
      const conditions = ['collection_id = $1', 'id = $2']
      const versionSql = versionCondition(versions ?? [{ kind: 'all' }], param)
      if (versionSql) conditions.push(versionSql)
      if (specVersions?.length) conditions.push(`spec_version IN (${specVersions.map(param).join(', ')})`)
      const removed =
        (await client.query(`DELETE FROM objects WHERE ${conditions.join(' AND ')}`, params)).rowCount ?? 0
      if (removed > 0) {
        await refreshEnds(client, collectionId, id)
        await client.query('UPDATE object_clock SET deletes = deletes + 1')
      }
      // the compiled policy resolves markings: a cached one must not keep a deleted definition
      if (removed > 0 && id.startsWith('marking-definition--')) await bumpPolicyVersion(client)
      return removed
    })
  }

  async countObjects(collectionId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>(
      'SELECT count(*) AS n FROM objects WHERE collection_id = $1',
      [collectionId],
    )
    return rows[0]?.n ?? 0
  }

  async putStatus(status: StatusRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO statuses (id, api_root, principal_id, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
      [status.id, status.apiRoot, status.principalId, JSON.stringify(status)],
    )
  }

  async getStatus(apiRoot: string, id: string): Promise<StatusRecord | undefined> {
    const { rows } = await this.#pool.query<{ body: string }>(
      'SELECT body FROM statuses WHERE api_root = $1 AND id = $2',
      [apiRoot, id],
    )
    return rows[0] ? (JSON.parse(rows[0].body) as StatusRecord) : undefined
  }

  async createPrincipal(p: PrincipalRecord, key: ApiKeyRecord): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        'INSERT INTO principals (id, name, role, partner_id, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [p.id, p.name, p.role, p.partnerId ?? null, p.createdAt, p.revokedAt ?? null],
      )
      await insertKey(client, key)
    })
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    const { rows } = await this.#pool.query<PrincipalRow>('SELECT * FROM principals WHERE id = $1', [id])
    return rows[0] ? toPrincipal(rows[0]) : undefined
  }

  async listPrincipals(): Promise<PrincipalRecord[]> {
    const { rows } = await this.#pool.query<PrincipalRow>('SELECT * FROM principals ORDER BY created_at, id')
    return rows.map(toPrincipal)
  }

  async addApiKey(key: ApiKeyRecord): Promise<void> {
    await insertKey(this.#pool, key)
  }

  async getApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.#pool.query<ApiKeyRow>('SELECT * FROM api_keys WHERE key_id = $1', [keyId])
    return rows[0] ? toApiKey(rows[0]) : undefined
  }

  async listApiKeys(principalId: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.#pool.query<ApiKeyRow>(
      'SELECT * FROM api_keys WHERE principal_id = $1 ORDER BY created_at, key_id',
      [principalId],
    )
    return rows.map(toApiKey)
  }

  async updateApiKey(keyId: string, change: ApiKeyChange): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE api_keys SET
         revoked_at = COALESCE(revoked_at, $2),
         expires_at = COALESCE($3, expires_at),
         last_used_at = COALESCE($4, last_used_at)
       WHERE key_id = $1`,
      [keyId, change.revokedAt ?? null, change.expiresAt ?? null, change.lastUsedAt ?? null],
    )
    return (result.rowCount ?? 0) > 0
  }

  async revokePrincipal(id: string, at: string): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      const changed = await client.query(
        'UPDATE principals SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
        [at, id],
      )
      await client.query(
        'UPDATE api_keys SET revoked_at = $1 WHERE principal_id = $2 AND revoked_at IS NULL',
        [at, id],
      )
      return (changed.rowCount ?? 0) > 0
    })
  }

  async setGrant(g: CollectionGrant): Promise<void> {
    await this.#pool.query(
      `INSERT INTO grants (principal_id, collection_id, can_read, can_write) VALUES ($1, $2, $3, $4)
       ON CONFLICT (principal_id, collection_id) DO UPDATE SET can_read = excluded.can_read, can_write = excluded.can_write`,
      [g.principalId, g.collectionId, g.canRead, g.canWrite],
    )
  }

  async listGrants(principalId: string): Promise<CollectionGrant[]> {
    const { rows } = await this.#pool.query<{
      principal_id: string
      collection_id: string
      can_read: boolean
      can_write: boolean
    }>('SELECT * FROM grants WHERE principal_id = $1 ORDER BY collection_id', [principalId])
    return rows.map((r) => ({
      principalId: r.principal_id,
      collectionId: r.collection_id,
      canRead: r.can_read,
      canWrite: r.can_write,
    }))
  }

  async appendPolicy(
    records: PolicyRecord[],
    ledger: LedgerAppend[],
    ifPolicyVersion?: number,
  ): Promise<LedgerPosition[][]> {
    return inTransaction(this.#pool, async (client) => {
      // The ledger lock first: policy rows then get their seq in the same order as their ledger entries.
      await client.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK.toString()])
      // the bump takes the clock row's lock, so the version it moves from is the one every other bump saw
      const bumped = await bumpPolicyVersion(client)
      if (ifPolicyVersion !== undefined && bumped - 1 !== ifPolicyVersion) throw new PolicyChangedError()
      if (records.length > 0) {
        await client.query(
          `INSERT INTO policy_records (kind, id, recorded_at, body)
           SELECT kind, id, recorded_at, body
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS r(kind, id, recorded_at, body, n)
           ORDER BY n`,
          [
            records.map((r) => r.kind),
            records.map((r) => r.id),
            records.map((r) => r.recordedAt),
            records.map((r) => r.body),
          ],
        )
      }
      return appendLedgerLocked(client, ledger)
    })
  }

  async loadPolicy(): Promise<PolicyRecord[]> {
    const { rows } = await this.#pool.query<PolicyRecord>(
      'SELECT kind, id, recorded_at AS "recordedAt", body FROM policy_records ORDER BY seq',
    )
    return rows
  }

  async policyVersion(): Promise<number> {
    const { rows } = await this.#pool.query<{ version: number }>('SELECT version FROM policy_clock')
    return rows[0]?.version ?? 0
  }

  async objectsVersion(): Promise<string> {
    // date_added rises with every version added; deletes are counted
    const { rows } = await this.#pool.query<{ last_added_us: string; deletes: string }>(
      'SELECT last_added_us, deletes FROM object_clock',
    )
    return `${rows[0]?.last_added_us ?? 0}:${rows[0]?.deletes ?? 0}`
  }

  async listMarkingDefinitions(): Promise<StoredVersion[]> {
    const { rows } = await this.#pool.query<ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM objects WHERE type = 'marking-definition' AND is_last = 1 ORDER BY seq`,
    )
    return rows.map(toStoredVersion)
  }

  async appendLedger(entries: LedgerAppend[]): Promise<LedgerPosition[][]> {
    if (entries.length === 0) return []
    return inTransaction(this.#pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK.toString()])
      return appendLedgerLocked(client, entries)
    })
  }

  async appendLedgerWithStates(
    entries: LedgerAppend[],
    documents: readonly StateDocument[],
    expect?: StateExpectation,
  ): Promise<LedgerPosition[][] | undefined> {
    return inTransaction(this.#pool, async (client) => {
      // Every such write holds the ledger lock, and under READ COMMITTED the read below sees each earlier
      // holder's commit: no other writer of this kind can change the document between the read and ours.
      await client.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK.toString()])
      if (expect !== undefined && (await stateValue(client, expect.name)) !== expect.value) return undefined
      await putStatesWith(client, documents)
      return appendLedgerLocked(client, entries)
    })
  }

  async ledgerHead(logId: string): Promise<LedgerHead> {
    return (await readHeads(this.#pool, [logId])).get(logId) ?? { logId, size: 0, frontier: [] }
  }

  async ledgerLogs(): Promise<{ logId: string; size: number }[]> {
    const { rows } = await this.#pool.query<{ logId: string; size: number }>(
      'SELECT log_id AS "logId", size FROM ledger_heads ORDER BY log_id',
    )
    return rows
  }

  /** A chunk row; its leaves (or the referenced chunk's) are read when first asked for. */
  #chunk(row: PgChunkRow): ChunkRow {
    return {
      start: row.start,
      count: row.count,
      nodes: row.nodes,
      refOffset: row.ref_offset,
      leaves: once(async () => {
        const { rows } = await this.#pool.query<StoredLeaves>(
          'SELECT ends, bytes, keys, key_hashes FROM ledger_chunks WHERE id = $1',
          [row.ref_chunk ?? row.id],
        )
        return rows[0]!
      }),
      leafHash: async (i) => {
        // the stored hash, or for a chunk written without hashes, its leaf's bytes (their range from
        // `ends`, then only those bytes) to hash here
        const { rows } = await this.#pool.query<{ hash: Buffer | null; bytes: Buffer | null }>(
          PG_LEAF_HASH_QUERY,
          [row.ref_chunk ?? row.id, i],
        )
        const found = rows[0]
        if (found?.hash) return found.hash.length === HASH_SIZE ? found.hash : undefined
        return found?.bytes ? leafHash(found.bytes) : undefined
      },
    }
  }

  async ledgerNodes(logId: string, keys: readonly NodeKeyRef[]): Promise<Map<string, Uint8Array>> {
    return this.#nodeCache.nodes(logId, keys, (missing) => this.#readNodes(logId, missing))
  }

  async #readNodes(logId: string, keys: readonly NodeKeyRef[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>()
    if (keys.length === 0) return out
    // the chunks holding the completing leaves, each once
    const { rows } = await this.#pool.query<PgChunkRow>(
      `SELECT ${PG_CHUNK_COLUMNS} FROM ledger_chunks WHERE id IN (
         SELECT (SELECT id FROM ledger_chunks WHERE log_id = $1 AND start <= leaf ORDER BY start DESC LIMIT 1)
         FROM unnest($2::bigint[]) AS leaf)
       ORDER BY start`,
      [logId, keys.map(completingLeaf)],
    )
    const chunks = rows.map((r) => this.#chunk(r))
    // In the order asked for, like a lookup per key.
    for (const k of keys) {
      const chunk = chunkHolding(chunks, completingLeaf(k))
      const hash = chunk && (await chunkNode(chunk, k))
      if (hash) out.set(`${k.level}/${k.index}`, hash)
    }
    return out
  }

  async ledgerLeaves(logId: string, start: number, end: number): Promise<LedgerLeaf[]> {
    if (end <= start) return []
    const { rows } = await this.#pool.query<PgChunkRow>(
      `SELECT ${PG_CHUNK_COLUMNS} FROM ledger_chunks WHERE log_id = $1 AND start < $3 AND start >= coalesce(
         (SELECT start FROM ledger_chunks WHERE log_id = $1 AND start <= $2 ORDER BY start DESC LIMIT 1), 0)
       ORDER BY start`,
      [logId, start, end],
    )
    const out: LedgerLeaf[] = []
    for (const row of rows) out.push(...(await chunkLeaves(this.#chunk(row), start, end)))
    return out
  }

  async findLedgerLeaves(logId: string, objectKey: string): Promise<LedgerLeaf[]> {
    // a substring test in SQL narrows the chunks down (the key, or its hash); the keys are then compared exactly
    const { rows } = await this.#pool.query<PgChunkRow>(
      `SELECT c.id, c.start, c.count, c.ref_chunk, c.ref_offset, c.nodes FROM ledger_chunks c
       LEFT JOIN ledger_chunks r ON r.id = c.ref_chunk
       WHERE c.log_id = $1 AND (strpos(coalesce(r.keys, c.keys), $2) > 0
         OR position($3::bytea in coalesce(r.key_hashes, c.key_hashes)) > 0) ORDER BY c.start`,
      [logId, JSON.stringify(objectKey), keyHashBytes(objectKey)],
    )
    const out: LedgerLeaf[] = []
    for (const row of rows) out.push(...(await chunkKeyMatches(this.#chunk(row), objectKey)))
    return out
  }

  async saveCheckpoint(c: CheckpointRecord): Promise<void> {
    await this.#pool.query(
      'INSERT INTO checkpoints (log_id, size, created_at, note) VALUES ($1, $2, $3, $4)',
      [c.logId, c.size, c.createdAt, c.note],
    )
  }

  async listCheckpoints(logId: string, limit: number): Promise<CheckpointRecord[]> {
    const { rows } = await this.#pool.query<CheckpointRecord>(
      `SELECT log_id AS "logId", size, created_at AS "createdAt", note
       FROM checkpoints WHERE log_id = $1 ORDER BY seq DESC LIMIT $2`,
      // SQLite reads a negative limit as "no limit"; PostgreSQL spells that NULL.
      [logId, limit < 0 ? null : limit],
    )
    return rows
  }

  getState(name: string): Promise<string | undefined> {
    return stateValue(this.#pool, name)
  }

  putState(name: string, value: string): Promise<void> {
    return this.putStates([{ name, value }])
  }

  putStates(documents: readonly StateDocument[]): Promise<void> {
    return putStatesWith(this.#pool, documents)
  }

  async listState(prefix: string): Promise<{ name: string; value: string }[]> {
    // A byte-wise ("C" collation) range scan, the same range SQLite scans; prefixes may contain % and _.
    const { rows } = await this.#pool.query<{ name: string; value: string }>(
      'SELECT name, value FROM state WHERE name >= $1 AND name < $2 ORDER BY name',
      [prefix, `${prefix}\uffff`],
    )
    return rows
  }

  async deleteState(name: string): Promise<void> {
    await this.#pool.query('DELETE FROM state WHERE name = $1', [name])
  }

  async addProvenance(records: ProvenanceRecord[]): Promise<void> {
    if (records.length === 0) return
    // One statement, so all or none; rows take their seq in input order.
    await this.#pool.query(
      `INSERT INTO provenance (collection_id, object_id, version, feed_id, partner_id, received_at)
       SELECT collection_id, object_id, version, feed_id, partner_id, received_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY
         AS r(collection_id, object_id, version, feed_id, partner_id, received_at, n)
       ORDER BY n`,
      [
        records.map((r) => r.collectionId),
        records.map((r) => r.objectId),
        records.map((r) => r.version),
        records.map((r) => r.feedId),
        records.map((r) => r.partnerId),
        records.map((r) => r.receivedAt),
      ],
    )
  }

  async hasProvenance(): Promise<boolean> {
    return ((await this.#pool.query('SELECT 1 FROM provenance LIMIT 1')).rowCount ?? 0) > 0
  }

  async provenance(objectIds: string[]): Promise<ProvenanceRecord[]> {
    if (objectIds.length === 0) return []
    const { rows } = await this.#pool.query<ProvenanceRecord>(
      `SELECT collection_id AS "collectionId", object_id AS "objectId", version, feed_id AS "feedId",
              partner_id AS "partnerId", received_at AS "receivedAt"
       FROM provenance WHERE object_id = ANY($1::text[]) ORDER BY seq`,
      [objectIds],
    )
    return rows
  }

  async backup(_destination: string): Promise<void> {
    throw new Error(
      'a PostgreSQL store does not write Sluice backup files; back the database up with its own tools (pg_dump, pg_basebackup)',
    )
  }
}

/** Moves the policy version on; returns the new one. */
async function bumpPolicyVersion(client: PgQueryable): Promise<number> {
  const { rows } = await client.query<{ version: number }>(
    'UPDATE policy_clock SET version = version + 1 RETURNING version',
  )
  return Number(rows[0]!.version)
}

/** The stored heads of those logs that have one. */
async function readHeads(db: PgQueryable, logIds: string[]): Promise<Map<string, LedgerHead>> {
  const { rows } = await db.query<{ log_id: string; size: number; frontier: Buffer }>(
    'SELECT log_id, size, frontier FROM ledger_heads WHERE log_id = ANY($1::text[])',
    [logIds],
  )
  return new Map(
    rows.map((r) => [r.log_id, { logId: r.log_id, size: r.size, frontier: unpackFrontier(r.frontier) }]),
  )
}

async function stateValue(db: PgQueryable, name: string): Promise<string | undefined> {
  const { rows } = await db.query<{ value: string }>('SELECT value FROM state WHERE name = $1', [name])
  return rows[0]?.value
}

async function putStatesWith(db: PgQueryable, documents: readonly StateDocument[]): Promise<void> {
  // the last of a name given twice wins, as in SQLite (ON CONFLICT would refuse the whole statement)
  const last = new Map(documents.map((d) => [d.name, d.value]))
  if (last.size === 0) return
  // one statement, so all or none
  await db.query(
    `INSERT INTO state (name, value) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    [[...last.keys()], [...last.values()]],
  )
}

/**
 * Writes one ledger append. The caller holds the ledger lock in `client`'s transaction: the
 * heads are read here, after the lock is granted, so they include every earlier append.
 * That relies on READ COMMITTED (a fresh snapshot per statement): under REPEATABLE READ the
 * snapshot would date from the lock request, before the previous holder's commit.
 */
async function appendLedgerLocked(client: PgClient, entries: LedgerAppend[]): Promise<LedgerPosition[][]> {
  if (entries.length === 0) return []
  const heads = await readHeads(client, [...new Set(entries.flatMap((e) => e.logs))])
  const plan = planLedgerAppend(heads, entries)
  // chunks holding bytes first (their ids are what the others refer to), then the references
  const ids = new Map<number, number>()
  for (const owners of [true, false]) {
    const chunks = plan.chunks.map((c, i) => ({ c, i })).filter(({ c }) => (c.ref === null) === owners)
    if (chunks.length === 0) continue
    const { rows } = await client.query<{ id: number; log_id: string }>(
      `INSERT INTO ledger_chunks (log_id, start, count, ref_chunk, ref_offset, nodes, ends, key_hashes, bytes)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::bigint[], $5::integer[], $6::bytea[],
         $7::bytea[], $8::bytea[], $9::bytea[])
       RETURNING id, log_id`,
      [
        chunks.map(({ c }) => c.logId),
        chunks.map(({ c }) => c.start),
        chunks.map(({ c }) => c.count),
        chunks.map(({ c }) => (c.ref === null ? null : ids.get(c.ref)!)),
        chunks.map(({ c }) => c.refOffset),
        chunks.map(({ c }) => c.nodes),
        chunks.map(({ c }) => c.ends),
        chunks.map(({ c }) => c.keyHashes),
        chunks.map(({ c }) => c.bytes),
      ],
    )
    // one chunk per log in a plan: match the returned ids by log
    const byLog = new Map(rows.map((r) => [r.log_id, r.id]))
    for (const { c, i } of chunks) ids.set(i, byLog.get(c.logId)!)
    const hashed = chunks.filter(({ c }) => c.hashes !== null)
    if (hashed.length > 0)
      await client.query(
        'INSERT INTO ledger_chunk_hashes (chunk_id, hashes) SELECT * FROM unnest($1::bigint[], $2::bytea[])',
        [hashed.map(({ i }) => ids.get(i)!), hashed.map(({ c }) => c.hashes)],
      )
  }
  if (plan.heads.length > 0) {
    await client.query(
      `INSERT INTO ledger_heads (log_id, size, frontier)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
       ON CONFLICT (log_id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier`,
      [
        plan.heads.map((h) => h.logId),
        plan.heads.map((h) => h.size),
        plan.heads.map((h) => packFrontier(h.frontier)),
      ],
    )
  }
  return plan.positions
}

const PG_CHUNK_COLUMNS = 'id, start, count, ref_chunk, ref_offset, nodes'

/** The u32 LE at byte `at` (an SQL expression) of `ends` (`|` and `<<` bind alike in PostgreSQL). */
const endAt = (at: string) =>
  `(get_byte(ends, ${at})::bigint | (get_byte(ends, ${at} + 1)::bigint << 8) | (get_byte(ends, ${at} + 2)::bigint << 16) | (get_byte(ends, ${at} + 3)::bigint << 24))`

/**
 * Stored leaf $2 of chunk $1: its stored hash, or when the chunk has none, its bytes (the byte range
 * from `ends`, then only those bytes of `bytes`).
 */
const PG_LEAF_HASH_QUERY = `SELECT
    (SELECT substring(hashes FROM 32 * $2::int + 1 FOR 32) FROM ledger_chunk_hashes WHERE chunk_id = $1) AS hash,
    CASE WHEN EXISTS (SELECT 1 FROM ledger_chunk_hashes WHERE chunk_id = $1) THEN NULL ELSE (
      SELECT substring(bytes FROM (f + 1)::int FOR (t - f)::int) FROM (
        SELECT bytes, CASE WHEN $2::int = 0 THEN 0 ELSE ${endAt('4 * $2::int - 4')} END AS f, ${endAt('4 * $2::int')} AS t
        FROM ledger_chunks WHERE id = $1 AND length(ends) >= 4 * $2::int + 4) x
    ) END AS bytes`

interface PgChunkRow {
  id: number
  start: number
  count: number
  ref_chunk: number | null
  ref_offset: number
  nodes: Buffer
}

function newState(): IdState {
  return {
    lo: null,
    hi: null,
    firstRow: undefined,
    lastRow: undefined,
    demoteStoredFirst: false,
    demoteStoredLast: false,
  }
}

/** After a delete the first/last flags may point at rows that are gone. */
async function refreshEnds(client: PgClient, collectionId: string, id: string): Promise<void> {
  await client.query(
    `UPDATE objects o SET
       is_first = CASE WHEN o.version_key = b.lo THEN 1 ELSE 0 END,
       is_last = CASE WHEN o.version_key = b.hi THEN 1 ELSE 0 END
     FROM (SELECT min(version_key) AS lo, max(version_key) AS hi FROM objects WHERE collection_id = $1 AND id = $2) b
     WHERE o.collection_id = $1 AND o.id = $2`,
    [collectionId, id],
  )
}

async function insertKey(db: PgQueryable, key: ApiKeyRecord): Promise<void> {
  await db.query(
    `INSERT INTO api_keys (key_id, principal_id, secret_hash, created_at, revoked_at, expires_at, last_used_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      key.keyId,
      key.principalId,
      key.secretHash,
      key.createdAt,
      key.revokedAt ?? null,
      key.expiresAt ?? null,
      key.lastUsedAt ?? null,
    ],
  )
}
