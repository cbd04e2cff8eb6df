/**
 * Versioned schema. Each entry runs once, in order, inside one transaction
 * together with the bump of `PRAGMA user_version`, so a crash mid-migration
 * leaves the previous version intact.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
  CREATE TABLE api_roots (name TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT);
  CREATE TABLE collections (
    id TEXT PRIMARY KEY,
    api_root TEXT NOT NULL REFERENCES api_roots(name),
    title TEXT NOT NULL,
    description TEXT,
    alias TEXT,
    media_types TEXT NOT NULL
  );
  CREATE TABLE objects (
    seq INTEGER PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES collections(id),
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    version TEXT,
    version_key TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    added_us INTEGER NOT NULL,
    is_first INTEGER NOT NULL,
    is_last INTEGER NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (id, collection_id, version_key)
  );
  CREATE INDEX objects_by_collection ON objects (collection_id, seq);
  CREATE INDEX objects_by_type ON objects (collection_id, type, seq);
  CREATE INDEX objects_by_added ON objects (collection_id, added_us);
  CREATE TABLE statuses (
    id TEXT PRIMARY KEY,
    api_root TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE TABLE principals (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    partner_id TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES principals(id),
    secret_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE grants (
    principal_id TEXT NOT NULL REFERENCES principals(id),
    collection_id TEXT NOT NULL REFERENCES collections(id),
    can_read INTEGER NOT NULL,
    can_write INTEGER NOT NULL,
    PRIMARY KEY (principal_id, collection_id)
  );
  `,
  `
  CREATE TABLE policy_records (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE TABLE ledger_heads (log_id TEXT PRIMARY KEY, size INTEGER NOT NULL, frontier BLOB NOT NULL);
  CREATE TABLE ledger_leaves (
    log_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    object_key TEXT,
    PRIMARY KEY (log_id, idx)
  ) WITHOUT ROWID;
  CREATE INDEX ledger_leaves_by_object ON ledger_leaves (log_id, object_key) WHERE object_key IS NOT NULL;
  CREATE TABLE ledger_nodes (
    log_id TEXT NOT NULL,
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (log_id, level, idx)
  ) WITHOUT ROWID;
  CREATE TABLE checkpoints (
    seq INTEGER PRIMARY KEY,
    log_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT NOT NULL
  );
  CREATE INDEX checkpoints_by_log ON checkpoints (log_id, seq);
  `,
  `
  CREATE TABLE state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE provenance (
    collection_id TEXT NOT NULL,
    object_id TEXT NOT NULL,
    version TEXT NOT NULL,
    feed_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    received_at TEXT NOT NULL
  );
  CREATE INDEX provenance_by_object ON provenance (object_id);
  `,
  `
  ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
  ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;
  CREATE INDEX api_keys_by_principal ON api_keys (principal_id);
  `,
  `
  -- object-level TLP rank from well-known marking ids (src/policy/screening.ts); NULL: not computed
  ALTER TABLE objects ADD COLUMN tlp_rank INTEGER;
  `,
  `
  -- Ledger: one row per log per append (see src/store/ledger-append.ts) instead of a row per leaf and
  -- per node. Existing leaves are converted, one chunk each with the interior nodes it completed.
  CREATE TABLE ledger_chunks (
    id INTEGER PRIMARY KEY,
    log_id TEXT NOT NULL,
    start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    ref_chunk INTEGER REFERENCES ledger_chunks(id),
    ref_offset INTEGER NOT NULL DEFAULT 0,
    nodes BLOB NOT NULL,
    ends BLOB,
    keys TEXT,
    bytes BLOB
  );
  CREATE UNIQUE INDEX ledger_chunks_by_start ON ledger_chunks (log_id, start);
  INSERT INTO ledger_chunks (log_id, start, count, nodes, ends, keys, bytes)
  SELECT l.log_id, l.idx, 1, coalesce(c.nodes, x''),
    unhex(printf('%02x%02x%02x%02x', length(l.bytes) & 255, (length(l.bytes) >> 8) & 255,
      (length(l.bytes) >> 16) & 255, (length(l.bytes) >> 24) & 255)),
    CASE WHEN l.object_key IS NULL THEN NULL ELSE json_array(l.object_key) END,
    l.bytes
  FROM ledger_leaves l LEFT JOIN (
    SELECT log_id, ((idx + 1) << level) - 1 AS leaf,
      CAST(group_concat(hash, x'' ORDER BY level) AS BLOB) AS nodes
    FROM ledger_nodes WHERE level >= 1 GROUP BY log_id, leaf
  ) c ON c.log_id = l.log_id AND c.leaf = l.idx
  ORDER BY l.log_id, l.idx;
  DROP TABLE ledger_leaves;
  DROP TABLE ledger_nodes;
  `,
  `
  -- Leaf hashes of each chunk that holds bytes, in a row of their own: an inclusion proof reads one
  -- hash here instead of walking the chunk row's overflow pages to its bytes. Chunks written before
  -- this have none; their leaves are hashed when read.
  CREATE TABLE ledger_chunk_hashes (
    chunk_id INTEGER PRIMARY KEY REFERENCES ledger_chunks(id),
    hashes BLOB NOT NULL
  );
  `,
  `
  -- Policy views (src/policy/policy-view.ts): what policy reads of a version, kept once per distinct text,
  -- so the gate decides each view once instead of parsing every version. Rows stored before have none.
  CREATE TABLE policy_views (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
  ALTER TABLE objects ADD COLUMN view_id INTEGER;
  ALTER TABLE objects ADD COLUMN endpoint_refs TEXT;
  `,
  `
  -- the top-level created_by_ref ('' for none), so the federation rules need not search each text for
  -- the partner as creator; NULL: stored before, the text is searched
  ALTER TABLE objects ADD COLUMN created_by TEXT;
  `,
  `
  -- object keys of new chunks as 4-byte hashes (src/store/ledger-append.ts keyHash) instead of JSON
  ALTER TABLE ledger_chunks ADD COLUMN key_hashes BLOB;
  `,
  `
  -- marking definitions, which every policy change reads: without it, a scan of every object version
  CREATE INDEX objects_marking_definitions ON objects (seq) WHERE type = 'marking-definition';
  `,
]
