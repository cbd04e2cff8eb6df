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
]
