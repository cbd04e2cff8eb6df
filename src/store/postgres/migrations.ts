/**
 * Versioned schema. Entry `i` is version `i + 1`; each runs once, in order, in
 * its own transaction together with its row in `schema_migrations` (PostgreSQL
 * DDL is transactional, so a failed step leaves the previous version intact).
 *
 * Text columns that the store orders or compares with `<` use the "C" collation,
 * so PostgreSQL sorts them byte-wise exactly like SQLite and like JavaScript does.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (name text PRIMARY KEY, value bytea NOT NULL);
  -- The last sequence number and date_added handed out; one row, updated only
  -- by a writer holding the object-write lock.
  CREATE TABLE object_clock (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_seq bigint NOT NULL,
    last_added_us bigint NOT NULL
  );
  INSERT INTO object_clock (singleton, last_seq, last_added_us) VALUES (true, 0, 0);
  CREATE TABLE api_roots (name text COLLATE "C" PRIMARY KEY, title text NOT NULL, description text);
  CREATE TABLE collections (
    id text COLLATE "C" PRIMARY KEY,
    api_root text COLLATE "C" NOT NULL REFERENCES api_roots(name),
    title text COLLATE "C" NOT NULL,
    description text,
    alias text,
    media_types text[] NOT NULL
  );
  CREATE TABLE objects (
    seq bigint PRIMARY KEY,
    collection_id text COLLATE "C" NOT NULL REFERENCES collections(id),
    id text COLLATE "C" NOT NULL,
    type text COLLATE "C" NOT NULL,
    version text,
    version_key text COLLATE "C" NOT NULL,
    spec_version text NOT NULL,
    added_us bigint NOT NULL UNIQUE,
    is_first smallint NOT NULL,
    is_last smallint NOT NULL,
    json text NOT NULL,
    UNIQUE (collection_id, id, version_key)
  );
  CREATE INDEX objects_by_collection ON objects (collection_id, seq);
  CREATE INDEX objects_by_type ON objects (collection_id, type, seq);
  CREATE INDEX objects_by_added ON objects (collection_id, added_us);
  CREATE INDEX objects_by_id ON objects (id, version_key);
  CREATE TABLE statuses (
    id text PRIMARY KEY,
    api_root text NOT NULL,
    principal_id text NOT NULL,
    body text NOT NULL
  );
  CREATE TABLE principals (
    id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL,
    partner_id text,
    created_at text COLLATE "C" NOT NULL,
    revoked_at text
  );
  CREATE TABLE api_keys (
    key_id text PRIMARY KEY,
    principal_id text NOT NULL REFERENCES principals(id),
    secret_hash bytea NOT NULL,
    created_at text NOT NULL,
    revoked_at text
  );
  CREATE TABLE grants (
    principal_id text NOT NULL REFERENCES principals(id),
    collection_id text NOT NULL REFERENCES collections(id),
    can_read boolean NOT NULL,
    can_write boolean NOT NULL,
    PRIMARY KEY (principal_id, collection_id)
  );
  `,
  `
  -- Policy rows are appended in ledger-lock order, so seq is also commit order.
  CREATE TABLE policy_records (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    id text NOT NULL,
    recorded_at text NOT NULL,
    body text NOT NULL
  );
  -- Bumped whenever policy rows or marking-definitions are added.
  CREATE TABLE policy_clock (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL
  );
  INSERT INTO policy_clock (singleton, version) VALUES (true, 0);
  CREATE TABLE ledger_heads (log_id text COLLATE "C" PRIMARY KEY, size bigint NOT NULL, frontier bytea NOT NULL);
  CREATE TABLE ledger_leaves (
    log_id text COLLATE "C" NOT NULL,
    idx bigint NOT NULL,
    bytes bytea NOT NULL,
    object_key text,
    PRIMARY KEY (log_id, idx)
  );
  CREATE INDEX ledger_leaves_by_object ON ledger_leaves (log_id, object_key) WHERE object_key IS NOT NULL;
  CREATE TABLE ledger_nodes (
    log_id text COLLATE "C" NOT NULL,
    level integer NOT NULL,
    idx bigint NOT NULL,
    hash bytea NOT NULL,
    PRIMARY KEY (log_id, level, idx)
  );
  CREATE TABLE checkpoints (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    log_id text NOT NULL,
    size bigint NOT NULL,
    created_at text NOT NULL,
    note text NOT NULL
  );
  CREATE INDEX checkpoints_by_log ON checkpoints (log_id, seq);
  `,
  `
  CREATE TABLE state (name text COLLATE "C" PRIMARY KEY, value text NOT NULL);
  CREATE TABLE provenance (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection_id text NOT NULL,
    object_id text NOT NULL,
    version text NOT NULL,
    feed_id text NOT NULL,
    partner_id text NOT NULL,
    received_at text NOT NULL
  );
  CREATE INDEX provenance_by_object ON provenance (object_id, seq);
  `,
  `
  -- Keys list oldest first with ties by key id, byte-wise like SQLite.
  ALTER TABLE api_keys ALTER COLUMN key_id TYPE text COLLATE "C";
  ALTER TABLE api_keys ALTER COLUMN created_at TYPE text COLLATE "C";
  ALTER TABLE api_keys ADD COLUMN expires_at text;
  ALTER TABLE api_keys ADD COLUMN last_used_at text;
  CREATE INDEX api_keys_by_principal ON api_keys (principal_id, created_at, key_id);
  -- Grants list in collection id order, byte-wise (SQLite walks its primary key).
  ALTER TABLE grants ALTER COLUMN collection_id TYPE text COLLATE "C";
  `,
  `
  -- object-level TLP rank from well-known marking ids (src/policy/screening.ts); NULL: not computed
  ALTER TABLE objects ADD COLUMN tlp_rank SMALLINT;
  `,
  `
  -- Ledger: one row per log per append (see src/store/ledger-append.ts) instead of a row per leaf and
  -- per node. Existing leaves are converted, one chunk each with the interior nodes it completed.
  CREATE TABLE ledger_chunks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    log_id text COLLATE "C" NOT NULL,
    start bigint NOT NULL,
    count integer NOT NULL,
    ref_chunk bigint REFERENCES ledger_chunks(id),
    ref_offset integer NOT NULL DEFAULT 0,
    nodes bytea NOT NULL,
    ends bytea,
    keys text,
    bytes bytea,
    UNIQUE (log_id, start)
  );
  INSERT INTO ledger_chunks (log_id, start, count, nodes, ends, keys, bytes)
  SELECT l.log_id, l.idx, 1, coalesce(c.nodes, ''::bytea),
    set_byte(set_byte(set_byte(set_byte(decode('00000000', 'hex'), 0, length(l.bytes) & 255),
      1, (length(l.bytes) >> 8) & 255), 2, (length(l.bytes) >> 16) & 255), 3, (length(l.bytes) >> 24) & 255),
    CASE WHEN l.object_key IS NULL THEN NULL ELSE json_build_array(l.object_key)::text END,
    l.bytes
  FROM ledger_leaves l LEFT JOIN (
    SELECT log_id, ((idx + 1) << level) - 1 AS leaf, string_agg(hash, ''::bytea ORDER BY level) AS nodes
    FROM ledger_nodes WHERE level >= 1 GROUP BY log_id, ((idx + 1) << level) - 1
  ) c ON c.log_id = l.log_id AND c.leaf = l.idx
  ORDER BY l.log_id, l.idx;
  DROP TABLE ledger_leaves;
  DROP TABLE ledger_nodes;
  `,
  `
  -- Leaf hashes of each chunk that holds bytes, in a row of their own: an inclusion proof reads one
  -- hash here instead of detoasting the chunk's bytes. Chunks written before this have none; their
  -- leaves are hashed when read.
  CREATE TABLE ledger_chunk_hashes (
    chunk_id bigint PRIMARY KEY REFERENCES ledger_chunks(id),
    hashes bytea NOT NULL
  );
  -- stored as is: a 32-byte slice is then read without decompressing the rest
  ALTER TABLE ledger_chunk_hashes ALTER COLUMN hashes SET STORAGE EXTERNAL;
  `,
  `
  -- Policy views (src/policy/policy-view.ts): what policy reads of a version, kept once per distinct text,
  -- so the gate decides each view once instead of parsing every version. Rows stored before have none.
  CREATE TABLE policy_views (id bigint PRIMARY KEY, text text NOT NULL);
  ALTER TABLE objects ADD COLUMN view_id bigint;
  ALTER TABLE objects ADD COLUMN endpoint_refs text;
  -- deletes counted, so that objectsVersion() changes with every write that changes objects
  ALTER TABLE object_clock ADD COLUMN deletes bigint NOT NULL DEFAULT 0;
  `,
  `
  -- the top-level created_by_ref ('' for none), so the federation rules need not search each text for
  -- the partner as creator; NULL: stored before, the text is searched
  ALTER TABLE objects ADD COLUMN created_by text;
  `,
  `
  -- object keys of new chunks as 4-byte hashes (src/store/ledger-append.ts keyHash) instead of JSON
  ALTER TABLE ledger_chunks ADD COLUMN key_hashes bytea;
  `,
  `
  -- marking definitions, which every policy change reads: without it, a scan of every object version
  CREATE INDEX objects_marking_definitions ON objects (seq) WHERE type = 'marking-definition';
  `,
]
