/**
 * @module Convex's statements (crates/postgres/src/sql.rs, single tenant, no tablet filter) in
 * the benchmark's schema, for the engine-only microbenchmarks. The socket benchmarks send the
 * same text from bench/client/src/sql.rs; keep the two in step.
 */

export const SCHEMA = 'convex_bench';
const s = (sql: string) => sql.replaceAll('@db_name', SCHEMA);

export const INIT = [
  'CREATE SCHEMA IF NOT EXISTS @db_name;',
  `DO $$ BEGIN IF to_regclass('@db_name.documents') IS NULL THEN CREATE TABLE IF NOT EXISTS @db_name.documents (id BYTEA NOT NULL, ts BIGINT NOT NULL, table_id BYTEA NOT NULL, json_value BYTEA NOT NULL, deleted BOOLEAN DEFAULT false, prev_ts BIGINT); END IF; END $$;`,
  `DO $$ BEGIN IF to_regclass('@db_name.documents_pkey') IS NULL THEN ALTER TABLE @db_name.documents ADD PRIMARY KEY (ts, table_id, id); END IF; IF to_regclass('@db_name.documents_by_table_and_id') IS NULL THEN CREATE INDEX IF NOT EXISTS documents_by_table_and_id ON @db_name.documents (table_id, id, ts); END IF; IF to_regclass('@db_name.documents_by_table_ts_and_id') IS NULL THEN CREATE INDEX IF NOT EXISTS documents_by_table_ts_and_id ON @db_name.documents (table_id, ts, id); END IF; END $$;`,
  `DO $$ BEGIN IF to_regclass('@db_name.indexes') IS NULL THEN CREATE TABLE IF NOT EXISTS @db_name.indexes (index_id BYTEA NOT NULL, ts BIGINT NOT NULL, key_prefix BYTEA NOT NULL, key_suffix BYTEA NULL, key_sha256 BYTEA NOT NULL, deleted BOOLEAN, table_id BYTEA NULL, document_id BYTEA NULL); END IF; END $$;`,
  `DO $$ BEGIN IF to_regclass('@db_name.indexes_pkey') IS NULL THEN ALTER TABLE @db_name.indexes ADD PRIMARY KEY (index_id, key_sha256, ts); END IF; IF to_regclass('@db_name.indexes_by_index_id_key_prefix_key_sha256_ts') IS NULL AND to_regclass('@db_name.indexes_by_index_id_key_prefix_key_sha256') IS NULL THEN CREATE INDEX IF NOT EXISTS indexes_by_index_id_key_prefix_key_sha256 ON @db_name.indexes (index_id, key_prefix, key_sha256); END IF; END $$;`,
  `DO $$ BEGIN IF to_regclass('@db_name.leases') IS NULL THEN CREATE TABLE IF NOT EXISTS @db_name.leases (id BIGINT NOT NULL, ts BIGINT NOT NULL, PRIMARY KEY (id)); END IF; END $$;`,
  `DO $$ BEGIN IF to_regclass('@db_name.persistence_globals') IS NULL THEN CREATE TABLE IF NOT EXISTS @db_name.persistence_globals (key TEXT NOT NULL, json_value BYTEA NOT NULL, PRIMARY KEY (key)); END IF; END $$;`,
  'INSERT INTO @db_name.leases (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING;',
].map(s);

const HINTS = `
/*+
    Set(enable_seqscan OFF)
    Set(enable_sort OFF)
    Set(enable_incremental_sort OFF)
    Set(enable_hashjoin OFF)
    Set(enable_mergejoin OFF)
    Set(enable_material OFF)
    Set(plan_cache_mode force_generic_plan)
*/
`;

export const GET_PERSISTENCE_GLOBAL = s('SELECT json_value FROM @db_name.persistence_globals WHERE key = $1');

export const WRITE_PERSISTENCE_GLOBAL = s(`INSERT INTO @db_name.persistence_globals
    ( key, json_value)
    VALUES ( $1, $2)
    ON CONFLICT ON CONSTRAINT persistence_globals_pkey DO UPDATE
    SET json_value = excluded.json_value
`);

export const EXACT_REV = s(`${HINTS}SELECT id, ts, table_id, json_value, deleted, prev_ts, $4::BIGINT as query_ts
FROM @db_name.documents
WHERE
    table_id = $1 AND
    id = $2 AND
    ts = $3
`);

export const PREV_REV = s(`${HINTS}SELECT id, ts, table_id, json_value, deleted, prev_ts, $3::BIGINT as query_ts
FROM @db_name.documents
WHERE
    table_id = $1 AND
    id = $2 AND
    ts < $3
ORDER BY ts desc
LIMIT 1
`);

function revChunk(exact: boolean): string {
  const width = exact ? 4 : 3;
  const branches = Array.from({ length: 8 }, (_, i) => {
    const p = i * width;
    const [queryTs, cmp, tail] = exact ? [p + 4, '=', ''] : [p + 3, '<', ' ORDER BY ts DESC LIMIT 1'];
    return `    q${i + 1} AS (SELECT id, ts, table_id, json_value, deleted, prev_ts, $${queryTs}::BIGINT as query_ts FROM @db_name.documents WHERE table_id = $${p + 1} AND id = $${p + 2} and ts ${cmp} $${p + 3}${tail})`;
  });
  const unions = Array.from({ length: 7 }, (_, i) => `UNION ALL SELECT id, ts, table_id, json_value, deleted, prev_ts, query_ts FROM q${i + 2}`);
  return s(`${HINTS}WITH\n${branches.join(',\n')}\nSELECT id, ts, table_id, json_value, deleted, prev_ts, query_ts FROM q1\n${unions.join('\n')};\n`);
}

export const PREV_REV_CHUNK = revChunk(false);
export const EXACT_REV_CHUNK = revChunk(true);

export const LOAD_DOCS_ASC = s(`${HINTS}SELECT D.id, D.ts, D.table_id, D.json_value, D.deleted, D.prev_ts
    
    FROM @db_name.documents D
    
    WHERE (D.ts, D.table_id, D.id) > ($1, $2, $3)
    AND D.ts < $4
    
    
    ORDER BY D.ts ASC, D.table_id ASC, D.id ASC
    LIMIT $5
`);

export const INDEX_PAGE_FROM = s(`
/*+
    Set(enable_seqscan OFF)
    Set(enable_bitmapscan OFF)
    Set(plan_cache_mode force_generic_plan)
    IndexScan(indexes indexes_index_id_key_prefix_key_sha256)
    NestLoop(a d)
    IndexScan(d documents_pkey)
*/
SELECT
    A.index_id,
    A.key_prefix,
    A.key_sha256,
    A.key_suffix,
    A.ts,
    A.deleted,
    A.document_id,
    D.table_id,
    D.json_value,
    D.prev_ts
FROM (
    SELECT DISTINCT ON (key_prefix, key_sha256)
        index_id,
        key_prefix,
        key_sha256,
        key_suffix,
        ts,
        deleted,
        document_id,
        table_id
    FROM @db_name.indexes
    WHERE index_id = $1 AND ts <= $2 AND (key_prefix, key_sha256) >= ($3, $4)
    ORDER BY key_prefix ASC, key_sha256 ASC, ts DESC
    LIMIT $5
) A
LEFT JOIN @db_name.documents D
    ON  D.ts          = A.ts
    AND D.table_id    = A.table_id
    AND D.id          = A.document_id
ORDER BY key_prefix ASC, key_sha256 ASC
`);

export const INSERT_DOCUMENT = s(`INSERT INTO @db_name.documents
    ( id, ts, table_id, json_value, deleted, prev_ts)
    SELECT * FROM UNNEST(
        $1::BYTEA[],
        $2::BIGINT[],
        $3::BYTEA[],
        $4::BYTEA[],
        $5::BOOLEAN[],
        $6::BIGINT[]
    )
`);

export const INSERT_INDEX = s(`INSERT INTO @db_name.indexes
    ( index_id, ts, key_prefix, key_suffix, key_sha256, deleted, table_id, document_id)
    SELECT * FROM UNNEST(
        $1::BYTEA[],
        $2::BIGINT[],
        $3::BYTEA[],
        $4::BYTEA[],
        $5::BYTEA[],
        $6::BOOLEAN[],
        $7::BYTEA[],
        $8::BYTEA[]
    )
`);

export const ADVISORY_LEASE_CHECK = s('SELECT 1 FROM @db_name.leases WHERE id=1 AND ts=$1');
