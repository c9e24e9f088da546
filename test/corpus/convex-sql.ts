/**
 * @module Self-hosted Convex's own statements (crates/postgres/src/sql.rs), verbatim but for
 * the schema name: DO-block initialisation run twice, UNNEST batch writes, paging with hints,
 * the 8-branch revision CTEs, chunked deletes, the lease check. Schema-qualified throughout,
 * as Convex writes them; parameters untyped, as its driver prepares them.
 */
import { type Group, q } from './case.ts';

const S = 'corpus_convex_sql';
const HINT = '/*+\n    Set(enable_seqscan OFF)\n    Set(plan_cache_mode force_generic_plan)\n*/\n';
const T1 = '1800000000000000001';
const T9 = '1800000000000000009';

const init = [
  `DO $$
BEGIN
    IF to_regclass('${S}.documents') IS NULL THEN
        CREATE TABLE IF NOT EXISTS ${S}.documents (
            id BYTEA NOT NULL,
            ts BIGINT NOT NULL,
            table_id BYTEA NOT NULL,
            json_value BYTEA NOT NULL,
            deleted BOOLEAN DEFAULT false,
            prev_ts BIGINT
        );
    END IF;
END $$;`,
  `DO $$
BEGIN
    IF to_regclass('${S}.documents_pkey') IS NULL THEN
        ALTER TABLE ${S}.documents ADD PRIMARY KEY (ts, table_id, id);
    END IF;
    IF to_regclass('${S}.documents_by_table_and_id') IS NULL THEN
        CREATE INDEX IF NOT EXISTS documents_by_table_and_id ON ${S}.documents (
             table_id, id, ts
        );
    END IF;
END $$;`,
  `DO $$
BEGIN
    IF to_regclass('${S}.indexes') IS NULL THEN
        CREATE TABLE IF NOT EXISTS ${S}.indexes (
            /* ids should be serialized as bytes */
            index_id BYTEA NOT NULL,
            ts BIGINT NOT NULL,
            key_prefix BYTEA NOT NULL,
            key_suffix BYTEA NULL,
            key_sha256 BYTEA NOT NULL,
            deleted BOOLEAN,
            table_id BYTEA NULL,
            document_id BYTEA NULL
        );
    END IF;
END $$;`,
  `DO $$
BEGIN
    IF to_regclass('${S}.indexes_pkey') IS NULL THEN
        ALTER TABLE ${S}.indexes ADD PRIMARY KEY (index_id, key_sha256, ts);
    END IF;
    IF to_regclass('${S}.indexes_by_index_id_key_prefix_key_sha256_ts') IS NULL AND to_regclass('${S}.indexes_by_index_id_key_prefix_key_sha256') IS NULL THEN
        CREATE INDEX IF NOT EXISTS indexes_by_index_id_key_prefix_key_sha256 ON ${S}.indexes (index_id, key_prefix, key_sha256);
    END IF;
END $$;`,
  `DO $$ BEGIN IF to_regclass('${S}.leases') IS NULL THEN CREATE TABLE IF NOT EXISTS ${S}.leases (id BIGINT NOT NULL, ts BIGINT NOT NULL, PRIMARY KEY (id)); END IF; END $$;`,
  `DO $$ BEGIN IF to_regclass('${S}.persistence_globals') IS NULL THEN CREATE TABLE IF NOT EXISTS ${S}.persistence_globals (key TEXT NOT NULL, json_value BYTEA NOT NULL, PRIMARY KEY (key)); END IF; END $$;`,
];

/** One CTE branch per (table_id, id) pair, UNION ALL'd: Convex's batched revision lookups. */
function revisions(cmp: '<' | '=', width: 3 | 4): string {
  const branches = Array.from({ length: 8 }, (_, i) => {
    const p = i * width;
    const queryTs = width === 3 ? p + 3 : p + 4;
    const tail = cmp === '<' ? ' ORDER BY ts DESC LIMIT 1' : '';
    return `    q${i + 1} AS (SELECT id, ts, table_id, json_value, deleted, prev_ts, $${queryTs}::BIGINT as query_ts FROM ${S}.documents WHERE table_id = $${p + 1} AND id = $${p + 2} and ts ${cmp} $${p + 3}${tail})`;
  });
  const unions = Array.from({ length: 7 }, (_, i) => `UNION ALL SELECT id, ts, table_id, json_value, deleted, prev_ts, query_ts FROM q${i + 2}`);
  return `WITH\n${branches.join(',\n')}\nSELECT id, ts, table_id, json_value, deleted, prev_ts, query_ts FROM q1\n${unions.join('\n')};`;
}

/** `\xNN` for document n. */
const doc = (n: number) => `\\x${n.toString(16).padStart(2, '0')}`;
const revisionsBefore = Array.from({ length: 8 }, (_, i) => ['\\x0a', doc(i + 1), T9]).flat();
const revisionsAt = Array.from({ length: 8 }, (_, i) => ['\\x0a', doc(i + 1), T1, T9]).flat();
const chunkedDelete = Array.from({ length: 8 }, (_, i) => `(table_id = $${i * 3 + 1} AND id = $${i * 3 + 2} AND ts <= $${i * 3 + 3})`).join(' OR\n    ');

export const convexSql: Group = {
  name: 'convex_sql',
  cases: [
    q('schema', `CREATE SCHEMA IF NOT EXISTS ${S}`),
    q('schema exists', 'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', { params: [S] }),
    q('init: documents', init[0]!),
    ...init.slice(1).map((sql, i) => q(`init: step ${i + 2}`, sql)),
    q('init: lease row', `INSERT INTO ${S}.leases (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING;`),
    // A restarted backend runs initialisation again: every DO block finds its object.
    ...init.map((sql, i) => q(`init again: step ${i + 1}`, sql)),
    q('init again: lease row', `INSERT INTO ${S}.leases (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING;`),
    q('catalog after init', `SELECT table_name FROM information_schema.tables WHERE table_schema = '${S}'`),
    q('empty read', `SELECT 1 FROM ${S}.documents LIMIT 1`),
    q('global upsert', `INSERT INTO ${S}.persistence_globals\n    (key, json_value)\n    VALUES ($1, $2)\n    ON CONFLICT ON CONSTRAINT persistence_globals_pkey DO UPDATE\n    SET json_value = excluded.json_value\n`, { params: ['k', '\\x01'] }),
    q('global upsert again', `INSERT INTO ${S}.persistence_globals\n    (key, json_value)\n    VALUES ($1, $2)\n    ON CONFLICT ON CONSTRAINT persistence_globals_pkey DO UPDATE\n    SET json_value = excluded.json_value\n`, { params: ['k', '\\x0102'] }),
    q('global read', `SELECT json_value FROM ${S}.persistence_globals WHERE key = $1`, { params: ['k'] }),
    q('documents batch (UNNEST)', `INSERT INTO ${S}.documents (id, ts, table_id, json_value, deleted, prev_ts) SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BOOLEAN[], $6::BIGINT[])`, {
      params: ['{"\\\\x01","\\\\x02","\\\\x01"}', `{${T1},${T1},1800000000000000002}`, '{"\\\\x0a","\\\\x0a","\\\\x0a"}', '{"\\\\x07","\\\\x","\\\\x09"}', '{f,f,t}', `{NULL,NULL,${T1}}`],
    }),
    q('page by row value, with previous revisions', `${HINT}SELECT D.id, D.ts, D.table_id, D.json_value, D.deleted, D.prev_ts\n    , P.json_value\n    FROM ${S}.documents D\n    LEFT JOIN ${S}.documents P ON P.table_id = D.table_id AND P.id = D.id AND P.ts = D.prev_ts\n    WHERE (D.ts, D.table_id, D.id) > ($1, $2, $3)\n    AND D.ts < $4\n    AND D.table_id = $6\n    ORDER BY D.ts ASC, D.table_id ASC, D.id ASC\n    LIMIT $5\n`, {
      params: ['-1', '\\x', '\\x', '9223372036854775807', '10', '\\x0a'],
    }),
    q('revisions before a ts (8 CTE branches)', revisions('<', 3), { params: revisionsBefore, ordered: false }),
    q('revisions at exact ts (8 CTE branches)', revisions('=', 4), { params: revisionsAt, ordered: false }),
    q('one revision with query_ts', `${HINT}SELECT id, ts, table_id, json_value, deleted, prev_ts, $4::BIGINT as query_ts\nFROM ${S}.documents\nWHERE\n    table_id = $1 AND\n    id = $2 AND\n    ts = $3\n`, { params: ['\\x0a', '\\x02', T1, '5'] }),
    q('lease check, FOR SHARE', `SELECT 1 FROM ${S}.leases WHERE id=1 AND ts=$1 FOR SHARE`, { params: ['0'] }),
    q('lease check', `SELECT 1 FROM ${S}.leases WHERE id=1 AND ts=$1`, { params: ['0'] }),
    q('lease takeover', `UPDATE ${S}.leases SET ts=$1 WHERE id=1 AND ts<$1`, { params: ['1800000000000000005'] }),
    q('lease takeover by an older ts', `UPDATE ${S}.leases SET ts=$1 WHERE id=1 AND ts<$1`, { params: ['1800000000000000004'] }),
    q('index page, empty', `${HINT}SELECT\n    index_id, key_prefix, key_sha256, key_suffix, ts, deleted\n    FROM ${S}.indexes\n    WHERE (index_id, key_prefix, key_sha256, ts) > ($1, $2, $3, $4)\n    \n    ORDER BY index_id ASC, key_prefix ASC, key_sha256 ASC, ts ASC\n    LIMIT $5\n`, {
      params: ['\\x', '\\x', '\\x', '-1', '10'],
    }),
    q('index batch upsert (UNNEST)', `INSERT INTO ${S}.indexes\n    (index_id, ts, key_prefix, key_suffix, key_sha256, deleted, table_id, document_id)\n    SELECT * FROM UNNEST(\n        $1::BYTEA[],\n        $2::BIGINT[],\n        $3::BYTEA[],\n        $4::BYTEA[],\n        $5::BYTEA[],\n        $6::BOOLEAN[],\n        $7::BYTEA[],\n        $8::BYTEA[]\n    )\n    ON CONFLICT ON CONSTRAINT indexes_pkey DO UPDATE\n    SET deleted = excluded.deleted, table_id = excluded.table_id, document_id = excluded.document_id\n`, {
      params: ['{"\\\\x01","\\\\x01"}', '{3,3}', '{"\\\\x05","\\\\x05"}', '{NULL,"\\\\x"}', '{"\\\\x09","\\\\x0a"}', '{f,t}', '{"\\\\x0a","\\\\x0a"}', '{"\\\\x01","\\\\x02"}'],
    }),
    q('index page', `${HINT}SELECT\n    index_id, key_prefix, key_sha256, key_suffix, ts, deleted\n    FROM ${S}.indexes\n    WHERE (index_id, key_prefix, key_sha256, ts) > ($1, $2, $3, $4)\n    \n    ORDER BY index_id ASC, key_prefix ASC, key_sha256 ASC, ts ASC\n    LIMIT $5\n`, {
      params: ['\\x', '\\x', '\\x', '-1', '10'],
    }),
    q('index delete', `${HINT}DELETE FROM ${S}.indexes WHERE\n    (index_id = $1 AND key_prefix = $2 AND key_sha256 = $3 AND ts <= $4)\n`, { params: ['\\x01', '\\x05', '\\x09', '3'] }),
    q('documents chunked delete', `${HINT}DELETE FROM ${S}.documents WHERE\n    ${chunkedDelete}\n`, {
      params: Array.from({ length: 8 }, (_, i) => ['\\x0a', i === 0 ? '\\x01' : '\\x63', T1]).flat(),
    }),
    q('documents delete by subquery', `DELETE FROM ${S}.documents WHERE table_id = $1 AND id IN (\n            SELECT id FROM ${S}.documents\n            WHERE table_id = $1\n            LIMIT $2\n        )\n`, { params: ['\\x0a', '5'] }),
    q('final documents', `SELECT id, ts, table_id, json_value, deleted, prev_ts FROM ${S}.documents ORDER BY ts, table_id, id`),
    q('final indexes', `SELECT index_id, ts, key_prefix, key_suffix, key_sha256, deleted, table_id, document_id FROM ${S}.indexes ORDER BY index_id, key_sha256, ts`),
  ],
};
