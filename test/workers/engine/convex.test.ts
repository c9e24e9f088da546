/**
 * Convex's own statement shapes (crates/postgres/src/sql.rs), schema-qualified as Convex sends
 * them: the DO-block initialisation, UNNEST batch inserts and upserts, DISTINCT ON index reads.
 */
import { describe, it } from 'vitest';
import { runGroup, type Case } from './harness.ts';

const init: Case[] = [
  { sql: 'CREATE SCHEMA IF NOT EXISTS cvx', tag: 'CREATE SCHEMA' },
  {
    sql: `DO $$
BEGIN
    IF to_regclass('cvx.documents') IS NULL THEN
        CREATE TABLE IF NOT EXISTS cvx.documents (
            id BYTEA NOT NULL,
            ts BIGINT NOT NULL,
            table_id BYTEA NOT NULL,
            json_value BYTEA NOT NULL,
            deleted BOOLEAN DEFAULT false,
            prev_ts BIGINT
        );
    END IF;
END $$;`,
    tag: 'DO',
  },
  {
    sql: `DO $$
BEGIN
    IF to_regclass('cvx.documents_pkey') IS NULL THEN
        ALTER TABLE cvx.documents ADD PRIMARY KEY (ts, table_id, id);
    END IF;
    IF to_regclass('cvx.documents_by_table_and_id') IS NULL THEN
        CREATE INDEX IF NOT EXISTS documents_by_table_and_id ON cvx.documents (
             table_id, id, ts
        );
    END IF;
END $$;`,
    tag: 'DO',
  },
  {
    sql: `DO $$
BEGIN
    IF to_regclass('cvx.indexes') IS NULL THEN
        CREATE TABLE IF NOT EXISTS cvx.indexes (
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
    tag: 'DO',
  },
  {
    sql: `DO $$
BEGIN
    IF to_regclass('cvx.indexes_pkey') IS NULL THEN
        ALTER TABLE cvx.indexes ADD PRIMARY KEY (index_id, key_sha256, ts);
    END IF;
    IF to_regclass('cvx.indexes_by_index_id_key_prefix_key_sha256_ts') IS NULL AND to_regclass('cvx.indexes_by_index_id_key_prefix_key_sha256') IS NULL THEN
        CREATE INDEX IF NOT EXISTS indexes_by_index_id_key_prefix_key_sha256 ON cvx.indexes (index_id, key_prefix, key_sha256);
    END IF;
END $$;`,
    tag: 'DO',
  },
  { sql: `DO $$ BEGIN IF to_regclass('cvx.leases') IS NULL THEN CREATE TABLE IF NOT EXISTS cvx.leases (id BIGINT NOT NULL, ts BIGINT NOT NULL, PRIMARY KEY (id)); END IF; END $$;`, tag: 'DO' },
  { sql: 'INSERT INTO cvx.leases (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING;', tag: 'INSERT 0 1' },
];

describe('Convex statement shapes', () => {
  it('DO blocks: initialisation runs once, then skips; the catalog matches', () =>
    runGroup([
      ...init,
      // A second run finds everything and changes nothing.
      ...init.slice(1, -1),
      { sql: 'INSERT INTO cvx.leases (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING;', tag: 'INSERT 0 0' },
      { sql: "SELECT to_regclass('cvx.documents_pkey') IS NOT NULL, to_regclass('cvx.indexes_by_index_id_key_prefix_key_sha256') IS NOT NULL", rows: [[true, true]] },
      { sql: "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'cvx'", rows: [[3n]] },
      { sql: 'INSERT INTO cvx.documents (id, ts, table_id, json_value) VALUES ($1, $2, $3, $4)', params: ['\\x01', '1', '\\x02', '\\x'], tag: 'INSERT 0 1' },
      { sql: 'INSERT INTO cvx.documents (id, ts, table_id, json_value) VALUES ($1, $2, $3, $4)', params: ['\\x01', '1', '\\x02', '\\x'], code: '23505', message: 'duplicate key value violates unique constraint "documents_pkey"' },
    ]));

  it('DO blocks: branches, PERFORM, errors roll the whole block back', () =>
    runGroup([
      { sql: 'DO $$ BEGIN IF 1 = 2 THEN CREATE TABLE a (x int); ELSIF NULL THEN CREATE TABLE b (x int); ELSE CREATE TABLE c (x int); END IF; END $$', tag: 'DO' },
      { sql: 'SELECT x FROM c', tag: 'SELECT 0' },
      { sql: 'SELECT x FROM a', code: '42P01' },
      { sql: 'SELECT x FROM b', code: '42P01' },
      { sql: 'DO $$ BEGIN PERFORM 1; BEGIN INSERT INTO c VALUES (1); END; RETURN; INSERT INTO c VALUES (2); END $$', tag: 'DO' },
      { sql: 'SELECT x FROM c', rows: [[1n]] },
      // The failing statement undoes the block's earlier writes too.
      { sql: 'DO $$ BEGIN INSERT INTO c VALUES (3); CREATE TABLE d (y int); INSERT INTO nope VALUES (1); END $$', code: '42P01', message: 'relation "nope" does not exist' },
      { sql: 'SELECT x FROM c', rows: [[1n]] },
      { sql: 'SELECT 1 FROM d', code: '42P01' },
      { sql: 'DO $$ BEGIN SELECT 1; END $$', code: '42601', message: 'query has no destination for result data' },
      { sql: "DO $$ BEGIN IF 1 THEN CREATE TABLE e1 (x int); END IF; IF 'yes' THEN CREATE TABLE e2 (x int); END IF; IF 0 THEN CREATE TABLE e3 (x int); END IF; END $$", tag: 'DO' },
      { sql: 'SELECT (SELECT count(*) FROM e1) + (SELECT count(*) FROM e2)', rows: [[0n]] },
      { sql: 'SELECT 1 FROM e3', code: '42P01' },
      { sql: "DO $$ BEGIN IF 'maybe' THEN NULL; END IF; END $$", code: '22P02' },
      { sql: "DO $$ BEGIN IF '\\x01'::bytea THEN NULL; END IF; END $$", code: '22P02', message: 'invalid input syntax for type boolean: "\\x01"' },
      { sql: 'DO $$ DECLARE v int; BEGIN v := 1; END $$', code: '0A000' },
      { sql: 'DO $$ BEGIN INSERT INTO c VALUES (1); EXCEPTION WHEN others THEN NULL; END $$', code: '0A000' },
      { sql: 'DO LANGUAGE plpython $$ pass $$', code: '0A000' },
      { sql: 'DO $$ BEGIN IF THEN END $$', code: '42601' },
    ]));

  it('UNNEST batch inserts and upserts: one row per element, exact int8, empty bytea, NULLs', () =>
    runGroup([
      ...init,
      {
        sql: `INSERT INTO cvx.documents
    (id, ts, table_id, json_value, deleted, prev_ts)
    SELECT * FROM UNNEST(
        $1::BYTEA[],
        $2::BIGINT[],
        $3::BYTEA[],
        $4::BYTEA[],
        $5::BOOLEAN[],
        $6::BIGINT[]
    )`,
        paramOids: [1001, 1016, 1001, 1001, 1000, 1016],
        params: [
          [bytes(1), bytes(2), bytes(3)],
          [1800000000000000001n, 1800000000000000001n, -9223372036854775808n],
          [bytes(10), bytes(10), bytes(11)],
          [bytes(0x7b, 0x7d), bytes(), bytes(0xff)],
          [false, true, null],
          [null, 9223372036854775807n, null],
        ],
        tag: 'INSERT 0 3',
      },
      {
        sql: 'SELECT id, ts, table_id, json_value, deleted, prev_ts FROM cvx.documents ORDER BY ts, table_id, id',
        rows: [
          [bytes(3), -9223372036854775808n, bytes(11), bytes(0xff), null, null],
          [bytes(1), 1800000000000000001n, bytes(10), bytes(0x7b, 0x7d), false, null],
          [bytes(2), 1800000000000000001n, bytes(10), bytes(), true, 9223372036854775807n],
        ],
      },
      // Text-format arrays too; the same key again fails naming the constraint and the key.
      {
        sql: 'INSERT INTO cvx.documents (id, ts, table_id, json_value, deleted, prev_ts) SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BOOLEAN[], $6::BIGINT[])',
        params: ['{"\\\\x04","\\\\x01"}', '{5,1800000000000000001}', '{"\\\\x0a","\\\\x0a"}', '{"\\\\x","\\\\x"}', '{t,f}', '{NULL,NULL}'],
        code: '23505',
        message: 'duplicate key value violates unique constraint "documents_pkey"',
        detail: 'Key (ts, table_id, id)=(1800000000000000001, \\x0a, \\x01) already exists.',
      },
      // The failed batch left nothing behind, not even its first row.
      { sql: 'SELECT count(*) FROM cvx.documents', rows: [[3n]] },
      {
        sql: `INSERT INTO cvx.documents
    (id, ts, table_id, json_value, deleted, prev_ts)
    SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BOOLEAN[], $6::BIGINT[])
    ON CONFLICT ON CONSTRAINT documents_pkey DO UPDATE
    SET deleted = excluded.deleted, json_value = excluded.json_value`,
        params: [[bytes(1), bytes(5)], [1800000000000000001n, 7n], [bytes(10), bytes(10)], [bytes(0x5b, 0x5d), bytes(1)], [true, false], [null, null]],
        tag: 'INSERT 0 2',
      },
      { sql: 'SELECT id, ts, json_value, deleted FROM cvx.documents WHERE table_id = $1 ORDER BY ts, id', params: [bytes(10)], rows: [
        [bytes(5), 7n, bytes(1), false],
        [bytes(1), 1800000000000000001n, bytes(0x5b, 0x5d), true],
        [bytes(2), 1800000000000000001n, bytes(), true],
      ] },
      // Arrays of different lengths pad with NULL; a NULL array yields no rows; RETURNING per row.
      { sql: 'CREATE TABLE cvx.pairs (a int8, b text)', tag: 'CREATE TABLE' },
      { sql: 'INSERT INTO cvx.pairs SELECT * FROM UNNEST($1::int8[], $2::text[]) RETURNING a, b', params: [[1n, 2n, 3n], ['x']], rows: [[1n, 'x'], [2n, null], [3n, null]], oids: [20, 25], tag: 'INSERT 0 3' },
      { sql: 'INSERT INTO cvx.pairs SELECT * FROM UNNEST($1::int8[], $2::text[])', params: [null, []], tag: 'INSERT 0 0' },
      { sql: 'INSERT INTO cvx.pairs (b, a) SELECT x, 9 FROM UNNEST($1::text[]) AS x', params: [['p', 'q']], tag: 'INSERT 0 2' },
      { sql: 'SELECT a, b FROM cvx.pairs WHERE a = 9 ORDER BY b', rows: [[9n, 'p'], [9n, 'q']] },
      { sql: 'INSERT INTO cvx.pairs (a) SELECT * FROM UNNEST($1)', params: [[1n]], code: '42P18' },
      // Outside an INSERT's row source UNNEST reads the array value instead of expanding.
      { sql: 'SELECT * FROM UNNEST($1::int8[])', params: [[1n]], rows: [[1n]] },
      { sql: 'INSERT INTO cvx.pairs (a) SELECT * FROM UNNEST($1::int8[]) ORDER BY 1', params: [[2n, 1n]], tag: 'INSERT 0 2' },
      { sql: 'INSERT INTO cvx.pairs (a) SELECT * FROM UNNEST($1::int8[], $2::int8[]) ORDER BY 1', params: [[2n], [1n]], code: '0A000' },
      { sql: 'INSERT INTO cvx.pairs (a) SELECT u FROM UNNEST($1::int8[]) AS u WHERE $1 IS NULL', params: [[1n]], code: '0A000' },
    ]));

  it('DISTINCT ON: latest revision per key, in a subquery joined to documents (index page read)', () =>
    runGroup([
      ...init,
      {
        sql: 'INSERT INTO cvx.indexes (index_id, ts, key_prefix, key_sha256, deleted, document_id, table_id) VALUES ($1, 1, $2, $3, false, $4, $5), ($1, 5, $2, $3, false, $6, $5), ($1, 3, $7, $8, true, NULL, NULL), ($1, 9, $9, $10, false, $4, $5), ($11, 2, $2, $3, false, $4, $5)',
        params: [bytes(1), bytes(0x10), bytes(0xa0), bytes(1), bytes(10), bytes(2), bytes(0x20), bytes(0xb0), bytes(0x30), bytes(0xc0), bytes(2)],
        tag: 'INSERT 0 5',
      },
      { sql: 'INSERT INTO cvx.documents (id, ts, table_id, json_value, deleted) VALUES ($1, 5, $2, $3, false)', params: [bytes(2), bytes(10), bytes(0x7b, 0x7d)], tag: 'INSERT 0 1' },
      {
        sql: indexPage('ASC'),
        params: [bytes(1), 8n, 10n],
        rows: [
          [bytes(1), bytes(0x10), bytes(0xa0), null, 5n, false, bytes(2), bytes(10), bytes(0x7b, 0x7d), null],
          [bytes(1), bytes(0x20), bytes(0xb0), null, 3n, true, null, null, null, null],
        ],
        oids: [17, 17, 17, 17, 20, 16, 17, 17, 17, 20],
      },
      { sql: indexPage('DESC'), params: [bytes(1), 8n, 1n], rows: [[bytes(1), bytes(0x20), bytes(0xb0), null, 3n, true, null, null, null, null]] },
      { sql: indexPage('ASC'), params: [bytes(1), 4n, 10n], rows: [
        [bytes(1), bytes(0x10), bytes(0xa0), null, 1n, false, bytes(1), null, null, null],
        [bytes(1), bytes(0x20), bytes(0xb0), null, 3n, true, null, null, null, null],
      ] },
      { sql: indexPage('ASC'), paramOids: [17, 20, 20] },
      { sql: 'SELECT DISTINCT ON (key_prefix) key_prefix, ts FROM cvx.indexes ORDER BY key_prefix, ts', rows: [[bytes(0x10), 1n], [bytes(0x20), 3n], [bytes(0x30), 9n]], names: ['key_prefix', 'ts'], oids: [17, 20] },
      { sql: 'SELECT DISTINCT ON (deleted) deleted, ts FROM cvx.indexes ORDER BY deleted DESC, ts DESC', rows: [[true, 3n], [false, 9n]] },
      { sql: 'SELECT DISTINCT ON (2) ts, index_id FROM cvx.indexes ORDER BY index_id, ts DESC LIMIT 5 OFFSET 1', rows: [[2n, bytes(2)]] },
      { sql: 'SELECT DISTINCT ON (key_sha256, index_id) ts FROM cvx.indexes ORDER BY index_id, key_sha256, ts', rows: [[1n], [3n], [9n], [2n]] },
      { sql: 'SELECT DISTINCT ON (key_prefix) ts FROM cvx.indexes ORDER BY ts', code: '42P10', message: 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions' },
      { sql: 'SELECT count(*) FROM (SELECT DISTINCT ON (key_prefix) key_prefix FROM cvx.indexes) x', rows: [[3n]] },
    ]));

  it('every other statement shape: inferred parameter OIDs and a run each', () => {
    const hint = '/*+\n    Set(enable_seqscan OFF)\n    Set(plan_cache_mode force_generic_plan)\n*/\n';
    const chunk = (n: number, per: (i: number) => string) => Array.from({ length: n }, (_, i) => per(i)).join(' OR\n    ');
    const revCte = (cmp: string, width: number) =>
      `WITH\n${Array.from({ length: 8 }, (_, i) => {
        const p = i * width;
        const qts = width === 3 ? p + 3 : p + 4;
        return `    q${i + 1} AS (SELECT id, ts, table_id, json_value, deleted, prev_ts, $${qts}::BIGINT as query_ts FROM cvx.documents WHERE table_id = $${p + 1} AND id = $${p + 2} and ts ${cmp} $${p + 3}${cmp === '<' ? ' ORDER BY ts DESC LIMIT 1' : ''})`;
      }).join(',\n')}\nSELECT id, ts, table_id, json_value, deleted, prev_ts, query_ts FROM q1\n${Array.from({ length: 7 }, (_, i) => `UNION ALL SELECT id, ts, table_id, json_value, deleted, prev_ts, query_ts FROM q${i + 2}`).join('\n')};`;
    const prevParams = Array.from({ length: 8 }, (_, i) => [bytes(10), bytes(i + 1), 1800000000000000009n]).flat();
    const exactParams = Array.from({ length: 8 }, (_, i) => [bytes(10), bytes(i + 1), 1800000000000000001n, 1800000000000000009n]).flat();
    return runGroup([
      ...init,
      { sql: 'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', paramOids: [19], params: ['cvx'], rows: [[1n]] },
      { sql: 'SELECT 1 FROM cvx.documents LIMIT 1', tag: 'SELECT 0' },
      { sql: `DO $$ BEGIN IF to_regclass('cvx.read_only') IS NULL THEN CREATE TABLE IF NOT EXISTS cvx.read_only (id BIGINT NOT NULL, PRIMARY KEY (id)); END IF; END $$;`, tag: 'DO' },
      { sql: `DO $$ BEGIN IF to_regclass('cvx.persistence_globals') IS NULL THEN CREATE TABLE IF NOT EXISTS cvx.persistence_globals (key TEXT NOT NULL, json_value BYTEA NOT NULL, PRIMARY KEY (key)); END IF; END $$;`, tag: 'DO' },
      { sql: 'SELECT 1 FROM cvx.read_only LIMIT 1', tag: 'SELECT 0' },
      { sql: 'INSERT INTO cvx.read_only (id) VALUES (1)', tag: 'INSERT 0 1' },
      { sql: 'DELETE FROM cvx.read_only WHERE id = 1', tag: 'DELETE 1' },
      {
        sql: 'INSERT INTO cvx.persistence_globals\n    (key, json_value)\n    VALUES ($1, $2)\n    ON CONFLICT ON CONSTRAINT persistence_globals_pkey DO UPDATE\n    SET json_value = excluded.json_value\n',
        paramOids: [25, 17],
        params: ['k', bytes(1)],
        tag: 'INSERT 0 1',
      },
      { sql: 'SELECT json_value FROM cvx.persistence_globals WHERE key = $1', paramOids: [25], params: ['k'], rows: [[bytes(1)]] },
      { sql: 'INSERT INTO cvx.documents (id, ts, table_id, json_value, deleted, prev_ts) SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BOOLEAN[], $6::BIGINT[])', params: [[bytes(1), bytes(2)], [1800000000000000001n, 1800000000000000001n], [bytes(10), bytes(10)], [bytes(7), bytes(8)], [false, false], [null, null]], tag: 'INSERT 0 2' },
      {
        sql: `${hint}SELECT D.id, D.ts, D.table_id, D.json_value, D.deleted, D.prev_ts\n    , P.json_value\n    FROM cvx.documents D\n    LEFT JOIN cvx.documents P ON P.table_id = D.table_id AND P.id = D.id AND P.ts = D.prev_ts\n    WHERE (D.ts, D.table_id, D.id) > ($1, $2, $3)\n    AND D.ts < $4\n    AND D.table_id = $6\n    ORDER BY D.ts ASC, D.table_id ASC, D.id ASC\n    LIMIT $5\n`,
        paramOids: [20, 17, 17, 20, 20, 17],
        params: [-1n, bytes(), bytes(), 9223372036854775807n, 10n, bytes(10)],
        rows: [
          [bytes(1), 1800000000000000001n, bytes(10), bytes(7), false, null, null],
          [bytes(2), 1800000000000000001n, bytes(10), bytes(8), false, null, null],
        ],
      },
      { sql: revCte('<', 3), paramOids: Array.from({ length: 8 }, () => [17, 17, 20]).flat(), params: prevParams, rows: [
        [bytes(1), 1800000000000000001n, bytes(10), bytes(7), false, null, 1800000000000000009n],
        [bytes(2), 1800000000000000001n, bytes(10), bytes(8), false, null, 1800000000000000009n],
      ] },
      { sql: revCte('=', 4), paramOids: Array.from({ length: 8 }, () => [17, 17, 20, 20]).flat(), params: exactParams, tag: 'SELECT 2' },
      { sql: `${hint}SELECT id, ts, table_id, json_value, deleted, prev_ts, $4::BIGINT as query_ts\nFROM cvx.documents\nWHERE\n    table_id = $1 AND\n    id = $2 AND\n    ts = $3\n`, paramOids: [17, 17, 20, 20], params: [bytes(10), bytes(2), 1800000000000000001n, 5n], rows: [[bytes(2), 1800000000000000001n, bytes(10), bytes(8), false, null, 5n]], oids: [17, 20, 17, 17, 16, 20, 20] },
      { sql: 'SELECT 1 FROM cvx.leases WHERE id=1 AND ts=$1 FOR SHARE', paramOids: [20], params: [0n], rows: [[1n]] },
      { sql: 'SELECT 1 FROM cvx.leases WHERE id=1 AND ts=$1', paramOids: [20], params: [0n], rows: [[1n]] },
      { sql: 'UPDATE cvx.leases SET ts=$1 WHERE id=1 AND ts<$1', paramOids: [20], params: [1800000000000000005n], tag: 'UPDATE 1' },
      { sql: 'UPDATE cvx.leases SET ts=$1 WHERE id=1 AND ts<$1', params: [1800000000000000004n], tag: 'UPDATE 0' },
      {
        sql: `${hint}SELECT\n    index_id, key_prefix, key_sha256, key_suffix, ts, deleted\n    FROM cvx.indexes\n    WHERE (index_id, key_prefix, key_sha256, ts) > ($1, $2, $3, $4)\n    \n    ORDER BY index_id ASC, key_prefix ASC, key_sha256 ASC, ts ASC\n    LIMIT $5\n`,
        paramOids: [17, 17, 17, 20, 20],
        params: [bytes(), bytes(), bytes(), -1n, 10n],
        tag: 'SELECT 0',
      },
      { sql: 'INSERT INTO cvx.indexes\n    (index_id, ts, key_prefix, key_suffix, key_sha256, deleted, table_id, document_id)\n    SELECT * FROM UNNEST(\n        $1::BYTEA[],\n        $2::BIGINT[],\n        $3::BYTEA[],\n        $4::BYTEA[],\n        $5::BYTEA[],\n        $6::BOOLEAN[],\n        $7::BYTEA[],\n        $8::BYTEA[]\n    )\n    ON CONFLICT ON CONSTRAINT indexes_pkey DO UPDATE\n    SET deleted = excluded.deleted, table_id = excluded.table_id, document_id = excluded.document_id\n', params: [[bytes(1)], [3n], [bytes(5)], [null], [bytes(9)], [false], [bytes(10)], [bytes(1)]], tag: 'INSERT 0 1' },
      { sql: `${hint}DELETE FROM cvx.indexes WHERE\n    (index_id = $1 AND key_prefix = $2 AND key_sha256 = $3 AND ts <= $4)\n`, paramOids: [17, 17, 17, 20], params: [bytes(1), bytes(5), bytes(9), 3n], tag: 'DELETE 1' },
      {
        sql: `${hint}DELETE FROM cvx.documents WHERE\n    ${chunk(8, (i) => `(table_id = $${i * 3 + 1} AND id = $${i * 3 + 2} AND ts <= $${i * 3 + 3})`)}\n`,
        paramOids: Array.from({ length: 8 }, () => [17, 17, 20]).flat(),
        params: Array.from({ length: 8 }, (_, i) => [bytes(10), bytes(i === 0 ? 1 : 99), 1800000000000000001n]).flat(),
        tag: 'DELETE 1',
      },
      { sql: 'DELETE FROM cvx.documents WHERE table_id = $1 AND id IN (\n            SELECT id FROM cvx.documents\n            WHERE table_id = $1\n            LIMIT $2\n        )\n', paramOids: [17, 20], params: [bytes(10), 5n], tag: 'DELETE 1' },
    ]);
  });
});

function bytes(...b: number[]): Uint8Array {
  return Uint8Array.from(b);
}

function indexPage(order: 'ASC' | 'DESC'): string {
  return `
/*+
    Set(enable_seqscan OFF)
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
    FROM cvx.indexes
    WHERE index_id = $1 AND ts <= $2
    ORDER BY key_prefix ${order}, key_sha256 ${order}, ts DESC
    LIMIT $3
) A
LEFT JOIN cvx.documents D
    ON  D.ts          = A.ts
    AND D.table_id    = A.table_id
    AND D.id          = A.document_id
ORDER BY key_prefix ${order}, key_sha256 ${order}
`;
}
