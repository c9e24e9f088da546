/**
 * Table-driven engine cases inside workerd: SQL in; rows, result OIDs, command tags and
 * SQLSTATEs out, all in one Durable Object per group (cases in a group run in order).
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../worker/deployment.ts';
import type { Env } from '../../../worker/index.ts';
import type { SqlSession, SqlValue } from '../../../tunnel/types.ts';

const env = workerEnv as unknown as Env;

interface Case {
  sql: string;
  /** Extended protocol with these parameters (types unspecified) instead of a simple query. */
  params?: SqlValue[];
  rows?: SqlValue[][];
  oids?: number[];
  names?: string[];
  tag?: string;
  /** Expected SQLSTATE of the error. */
  code?: string;
  message?: string;
  detail?: string;
  /** Inferred parameter OIDs (prepare). */
  paramOids?: number[];
}

async function run(s: SqlSession, c: Case) {
  if (c.params || c.paramOids) {
    if (c.paramOids) {
      const p = await s.prepare(c.sql, c.paramOids.map(() => 0));
      expect.soft({ sql: c.sql, error: p.error?.message, paramOids: p.description?.paramOids }).toEqual({ sql: c.sql, error: undefined, paramOids: c.paramOids });
      if (!c.params) return;
    }
    const r = await s.execute(c.sql, c.params!.map(() => 0), c.params!);
    return { error: r.error, result: r.results[0] };
  }
  const r = await s.query(c.sql);
  return { error: r.error, result: r.results[r.results.length - 1] };
}

async function runGroup(cases: Case[]) {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
  await runInDurableObject(stub, async (instance: Deployment) => {
    const s = await instance.engine.open({ user: 'u', database: 'd', params: {} });
    for (const c of cases) {
      const out = await run(s, c);
      if (!out) continue;
      const { error, result } = out;
      if (c.code) {
        expect.soft({ sql: c.sql, code: error?.sqlstate, ...(c.message && { message: error?.message }), ...(c.detail && { detail: error?.detail }) }).toEqual({
          sql: c.sql,
          code: c.code,
          ...(c.message && { message: c.message }),
          ...(c.detail && { detail: c.detail }),
        });
        continue;
      }
      expect.soft({ sql: c.sql, error: error && `${error.sqlstate} ${error.message}` }).toEqual({ sql: c.sql, error: undefined });
      if (c.rows) expect.soft({ sql: c.sql, rows: result?.rows }).toEqual({ sql: c.sql, rows: c.rows });
      if (c.oids) expect.soft({ sql: c.sql, oids: result?.columns?.map((x) => x.typeOid) }).toEqual({ sql: c.sql, oids: c.oids });
      if (c.names) expect.soft({ sql: c.sql, names: result?.columns?.map((x) => x.name) }).toEqual({ sql: c.sql, names: c.names });
      if (c.tag) expect.soft({ sql: c.sql, tag: result?.tag }).toEqual({ sql: c.sql, tag: c.tag });
    }
  });
}

describe('engine cases', () => {
  it('SELECT without FROM: literal types and functions', () =>
    runGroup([
      { sql: 'SELECT 1', rows: [[1n]], oids: [23], names: ['?column?'], tag: 'SELECT 1' },
      { sql: "SELECT 'a'", rows: [['a']], oids: [25] },
      { sql: 'SELECT 1.5', rows: [['1.5']], oids: [1700] },
      { sql: 'SELECT 3000000000', rows: [[3000000000n]], oids: [20] },
      { sql: 'SELECT true, NULL', rows: [[true, null]], oids: [16, 25] },
      { sql: 'SELECT 1 + 2 * 3 AS x', rows: [[7n]], names: ['x'] },
      { sql: 'SELECT 7 / 2, 7 % 3, -7 / 2', rows: [[3n, 1n, -3n]], oids: [23, 23, 23] },
      { sql: 'SELECT 1 / 0', code: '22012', message: 'division by zero' },
      { sql: 'SELECT 2147483647 + 1', code: '22003', message: 'integer out of range' },
      { sql: 'SELECT 9223372036854775807 + 1', code: '22003', message: 'bigint out of range' },
      { sql: "SELECT lower('AbC'), upper('x'), length('héllo')", rows: [['abc', 'X', 5n]], oids: [25, 25, 23] },
      { sql: "SELECT 'a' || 'b', 'x' || 1", rows: [['ab', 'x1']] },
      { sql: 'SELECT coalesce(NULL, 2), nullif(1, 1)', rows: [[2n, null]], oids: [23, 23] },
      { sql: "SELECT CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END", rows: [['b']], oids: [25], names: ['case'] },
      { sql: 'SELECT current_schema()', rows: [['public']], oids: [19] },
      { sql: 'SELECT current_schema', rows: [['public']], oids: [19] },
      { sql: "SELECT '42'::int8, '1.50'::numeric, 'x'::text, 5::int8", rows: [[42n, '1.50', 'x', 5n]], oids: [20, 1700, 25, 20] },
      { sql: "SELECT 'abc'::int4", code: '22P02', message: 'invalid input syntax for type integer: "abc"' },
      { sql: 'SELECT 99999999999::int4', code: '22003' },
      { sql: "SELECT '2024-01-02 03:04:05.123456+00'::timestamptz", rows: [['2024-01-02 03:04:05.123456+00']], oids: [1184] },
      { sql: "SELECT '\\x0102'::bytea", rows: [[Uint8Array.from([1, 2])]], oids: [17] },
      { sql: "SELECT '{\"b\": 1, \"a\": [1,2]}'::jsonb", rows: [['{"a": [1, 2], "b": 1}']], oids: [3802] },
      { sql: 'SELECT nosuchfn(1)', code: '42883' },
      { sql: 'SELECT 3.7::int4, (-2.5)::int8, 2.5::int2, 1::float8, true::int4', rows: [[4n, -3n, 3n, 1, 1n]], oids: [23, 20, 21, 701, 23] },
      { sql: "SELECT 'abcdef'::varchar(2), 'abc'::varchar", rows: [['ab', 'abc']], oids: [1043, 1043] },
      { sql: "SELECT '1'::numeric(5, 2)", code: '0A000' },
      { sql: 'SELECT 1e308::float8 * 10', code: '22003', message: 'value out of range: overflow' },
      { sql: "SELECT 'Infinity'::float8 * 10", rows: [[Infinity]] },
      { sql: `SELECT '{"a": 1}'::jsonb -> 'a'`, code: '0A000', message: 'operator -> is not supported' },
      { sql: 'SELECT greatest(1, NULL, 3), least(NULL, 2, 5), greatest(NULL::int4, NULL)', rows: [[3n, 2n, null]], oids: [23, 23, 23] },
      { sql: "SELECT substr('hello', 2, 3), substring('hello' FROM 2), substring('hello', 0, 2), replace('aXbX', 'X', '-')", rows: [['ell', 'ello', 'h', 'a-b-']] },
      { sql: "SELECT substr('hello', 1, -1)", code: '22011' },
      { sql: "SELECT btrim('  x  '), ltrim('xxay', 'x'), trim(both 'x' from 'xaxx'), position('l' in 'hello'), strpos('hello', 'z')", rows: [['x', 'ay', 'a', 3n, 0n]] },
      { sql: 'SELECT mod(7, 3), mod(7, 0)', code: '22012' },
      { sql: 'SELECT 1 WHERE false', rows: [], tag: 'SELECT 0' },
      { sql: "SELECT version() LIKE 'PostgreSQL%', 'Ab' ILIKE 'a_', 'ab' LIKE 'A%'", rows: [[true, true, false]] },
      { sql: 'SELECT 1 WHERE $1 LIKE $2', params: ['a', 'a'], code: '0A000' },
      { sql: 'SELECT $1::bigint AS ts', paramOids: [20], params: ['1800000000000000001'], rows: [[1800000000000000001n]], oids: [20] },
      { sql: 'SELECT $1 = 1', paramOids: [23] },
      { sql: 'SELECT $1', paramOids: [25], params: ['x'], rows: [['x']], oids: [25] },
      // Parameter types as PostgreSQL 15 infers them (checked with PREPARE on a real server).
      { sql: 'SELECT 1 WHERE $1 = $2', paramOids: [25, 25] },
      { sql: 'SELECT coalesce($1, 1)', paramOids: [23] },
      { sql: 'SELECT $1 || $2', paramOids: [25, 25] },
      { sql: 'SELECT $1 + 1', paramOids: [23] },
      { sql: 'SELECT 1 LIMIT $1', paramOids: [20] },
      { sql: "SELECT $1 = 'a'", paramOids: [25] },
      { sql: 'SELECT CASE WHEN $1 THEN 1 END', paramOids: [16] },
      { sql: 'SELECT $1 IN (1, 2)', paramOids: [23] },
      { sql: 'SELECT 1 WHERE $1', paramOids: [16] },
      { sql: 'SELECT $1 IS NULL', params: [null], code: '42P18', message: 'could not determine data type of parameter $1' },
      { sql: 'SELECT count($1)', params: [null], code: '42P18' },
    ]));

  it('DDL: schemas, tables, keys, indexes, drops', () =>
    runGroup([
      { sql: 'CREATE SCHEMA s', tag: 'CREATE SCHEMA' },
      { sql: 'CREATE SCHEMA s', code: '42P06' },
      { sql: 'CREATE SCHEMA IF NOT EXISTS s', tag: 'CREATE SCHEMA' },
      { sql: 'CREATE TABLE s.t (a int4 NOT NULL, b text DEFAULT \'d\', c int8, UNIQUE (b, c))', tag: 'CREATE TABLE' },
      { sql: 'CREATE TABLE IF NOT EXISTS s.t (x int)', tag: 'CREATE TABLE' },
      { sql: 'CREATE TABLE s.t (x int)', code: '42P07', message: 'relation "t" already exists' },
      { sql: 'ALTER TABLE s.t ADD PRIMARY KEY (a)', tag: 'ALTER TABLE' },
      { sql: 'ALTER TABLE s.t ADD PRIMARY KEY (a)', code: '42P16' },
      { sql: 'CREATE INDEX t_c_idx ON s.t (c DESC, a)', tag: 'CREATE INDEX' },
      { sql: 'CREATE INDEX IF NOT EXISTS t_c_idx ON s.t (c)', tag: 'CREATE INDEX' },
      { sql: 'INSERT INTO s.t (a, c) VALUES (1, 10)', tag: 'INSERT 0 1' },
      { sql: 'SELECT a, b, c FROM s.t', rows: [[1n, 'd', 10n]], oids: [23, 25, 20] },
      { sql: 'INSERT INTO s.t (a, c) VALUES (1, 11)', code: '23505', message: 'duplicate key value violates unique constraint "t_pkey"', detail: 'Key (a)=(1) already exists.' },
      { sql: "INSERT INTO s.t (a, b, c) VALUES (3, 'd', 10)", code: '23505', message: 'duplicate key value violates unique constraint "t_b_c_key"', detail: 'Key (b, c)=(d, 10) already exists.' },
      { sql: "INSERT INTO s.t (a, b, c) VALUES (7, 'x', 1), (8, 'x', 1)", code: '23505', detail: 'Key (b, c)=(x, 1) already exists.' },
      { sql: 'CREATE UNIQUE INDEX t_u ON s.t (c)', tag: 'CREATE INDEX' },
      { sql: 'INSERT INTO s.t (a, c) VALUES (2, 10)', code: '23505', message: 'duplicate key value violates unique constraint "t_u"' },
      { sql: 'INSERT INTO s.t (b) VALUES (NULL)', code: '23502', message: 'null value in column "a" of relation "t" violates not-null constraint' },
      { sql: 'SET search_path TO s', tag: 'SET' },
      { sql: 'SHOW search_path', rows: [['s']] },
      { sql: 'SELECT count(*) FROM t', rows: [[1n]] },
      { sql: 'SELECT current_schema()', rows: [['s']] },
      { sql: 'DROP INDEX t_c_idx', tag: 'DROP INDEX' },
      { sql: 'DROP INDEX IF EXISTS t_c_idx', tag: 'DROP INDEX' },
      { sql: 'DROP SCHEMA s', code: '2BP01' },
      { sql: 'DROP TABLE nope', code: '42P01' },
      { sql: 'DROP TABLE IF EXISTS nope', tag: 'DROP TABLE' },
      { sql: 'DROP SCHEMA s CASCADE', tag: 'DROP SCHEMA' },
      { sql: 'SELECT * FROM s.t', code: '42P01' },
      { sql: 'CREATE TABLE x (id int)', code: '3F000' },
      { sql: 'SET search_path TO public', tag: 'SET' },
      { sql: 'CREATE TABLE x (id serial PRIMARY KEY, v text)', code: '0A000', message: 'serial columns (sequences) is not supported' },
      { sql: 'CREATE TABLE y (id bigint CHECK (id > 0))', code: '0A000' },
      { sql: 'CREATE TABLE z (a int8, b text)' },
      { sql: "INSERT INTO z VALUES (1800000000000000001, 'x'), (1800000000000000001, 'y'), (NULL, 'z'), (NULL, 'z')", tag: 'INSERT 0 4' },
      { sql: 'ALTER TABLE z ADD PRIMARY KEY (a)', code: '23505', message: 'could not create unique index "z_pkey"', detail: 'Key (a)=(1800000000000000001) is duplicated.' },
      { sql: "DELETE FROM z WHERE b = 'y'", tag: 'DELETE 1' },
      // Extended protocol: the failed DDL (index built, then NULLs found) leaves nothing behind.
      { sql: 'ALTER TABLE z ADD CONSTRAINT z_pk PRIMARY KEY (a)', params: [], code: '23502', message: 'column "a" of relation "z" contains null values' },
      { sql: 'DELETE FROM z WHERE a IS NULL', tag: 'DELETE 2' },
      { sql: 'ALTER TABLE z ADD CONSTRAINT z_pk PRIMARY KEY (a)', params: [], tag: 'ALTER TABLE' },
      { sql: 'CREATE UNIQUE INDEX z_b ON z (b)', tag: 'CREATE INDEX' },
      { sql: "INSERT INTO z VALUES (1800000000000000001, 'q')", code: '23505', message: 'duplicate key value violates unique constraint "z_pk"' },
    ]));

  it('queries: filters, order, grouping, joins, subqueries, set operations', () =>
    runGroup([
      { sql: 'CREATE TABLE u (id int4 PRIMARY KEY, name text, score float8, big int8)' },
      { sql: "INSERT INTO u VALUES (1, 'ann', 1.5, 9223372036854775807), (2, 'bob', NULL, -1), (3, 'cy', 2, 1800000000000000001), (4, NULL, 0.5, NULL)", tag: 'INSERT 0 4' },
      { sql: 'SELECT id FROM u ORDER BY score', rows: [[4n], [1n], [3n], [2n]] },
      { sql: 'SELECT id FROM u ORDER BY score DESC', rows: [[2n], [3n], [1n], [4n]] },
      { sql: 'SELECT id FROM u ORDER BY score NULLS FIRST LIMIT 2 OFFSET 1', rows: [[4n], [1n]] },
      { sql: 'SELECT big FROM u WHERE big > 1800000000000000000 ORDER BY big', rows: [[1800000000000000001n], [9223372036854775807n]], oids: [20] },
      { sql: 'SELECT id FROM u WHERE big = $1', params: [1800000000000000001n], rows: [[3n]] },
      { sql: 'SELECT id FROM u WHERE big = $1', params: ['-1'], rows: [[2n]] },
      { sql: 'SELECT id FROM u WHERE name = $1 LIMIT $2', paramOids: [25, 20], params: ['ann', 5n], rows: [[1n]] },
      { sql: 'SELECT count(*), count(name), sum(id), min(name), max(score) FROM u', rows: [[4n, 3n, 10n, 'ann', 2]], oids: [20, 20, 20, 25, 701] },
      { sql: 'SELECT avg(id) FROM u', rows: [['2.5000000000000000']], oids: [1700] },
      { sql: 'SELECT avg(id), avg(score) FROM u WHERE id > 10', rows: [[null, null]], oids: [1700, 701] },
      { sql: 'SELECT avg(score) FROM u', rows: [[4 / 3]], oids: [701] },
      { sql: 'SELECT id % 2 AS k, avg(big) FROM u WHERE big IS NOT NULL GROUP BY 1 ORDER BY 1', rows: [[0n, '-1.00000000000000000000'], [1n, '5511686018427387904']] },
      { sql: 'SELECT sum(big) FROM u', rows: [['11023372036854775807']], oids: [1700] },
      { sql: 'SELECT avg(id) + 1 FROM u', code: '0A000' },
      { sql: 'SELECT name, avg(id) AS a FROM u GROUP BY name ORDER BY a', code: '0A000' },
      { sql: 'SELECT sum(big) FROM u WHERE id <> 1', rows: [['1800000000000000000']], oids: [1700] },
      { sql: "SELECT name IS NULL AS n, count(*) FROM u GROUP BY name IS NULL ORDER BY 1", rows: [[false, 3n], [true, 1n]] },
      { sql: 'SELECT id % 2 AS k, count(*) FROM u GROUP BY 1 HAVING count(*) > 1 ORDER BY k', rows: [[0n, 2n], [1n, 2n]] },
      { sql: 'SELECT a.id, b.id FROM u a JOIN u b ON b.id = a.id + 1 ORDER BY a.id', rows: [[1n, 2n], [2n, 3n], [3n, 4n]] },
      { sql: 'SELECT a.id, b.id FROM u a LEFT JOIN u b ON b.id = a.id + 10 WHERE a.id = 1', rows: [[1n, null]] },
      { sql: 'SELECT id FROM u WHERE id IN (SELECT id FROM u WHERE score > 1) ORDER BY id', rows: [[1n], [3n]] },
      { sql: 'SELECT (SELECT max(id) FROM u) AS m', rows: [[4n]], names: ['m'] },
      { sql: 'SELECT x.n FROM (SELECT name AS n FROM u WHERE id = 2) x', rows: [['bob']] },
      { sql: 'WITH c AS (SELECT id FROM u WHERE id < 3) SELECT count(*) FROM c', rows: [[2n]] },
      { sql: 'SELECT id FROM u WHERE id < 2 UNION ALL SELECT id FROM u WHERE id > 3', rows: [[1n], [4n]] },
      { sql: 'SELECT 1 UNION SELECT 1', rows: [[1n]] },
      { sql: 'SELECT id FROM u WHERE id = 1 UNION ALL SELECT big FROM u WHERE id = 1', rows: [[1n], [9223372036854775807n]], oids: [20] },
      { sql: 'SELECT 1 UNION SELECT true', code: '42804', message: 'UNION types integer and boolean cannot be matched' },
      { sql: 'SELECT coalesce(id, big) FROM u WHERE id = 1', rows: [[1n]], oids: [20] },
      { sql: 'SELECT CASE WHEN id = 1 THEN big ELSE id END FROM u ORDER BY id LIMIT 1', rows: [[9223372036854775807n]], oids: [20] },
      { sql: "SELECT CASE WHEN id = 1 THEN 'a' ELSE 1 END FROM u", code: '22P02' },
      { sql: 'SELECT id FROM u WHERE score > 1.4 ORDER BY id', rows: [[1n], [3n]] },
      { sql: 'SELECT score * 2.0 FROM u WHERE id = 1', rows: [[3]], oids: [701] },
      { sql: 'SELECT DISTINCT score IS NULL FROM u ORDER BY 1', rows: [[false], [true]] },
      { sql: "SELECT id FROM u WHERE name LIKE 'a%' OR name ILIKE 'B%' ORDER BY id", rows: [[1n], [2n]] },
      { sql: 'SELECT id FROM u WHERE id BETWEEN 2 AND 3 AND NOT (id = 3)', rows: [[2n]] },
      { sql: 'SELECT nope FROM u', code: '42703', message: 'column "nope" does not exist' },
      { sql: 'SELECT name, count(*) FROM u', code: '42803', message: 'column "u.name" must appear in the GROUP BY clause or be used in an aggregate function' },
      { sql: 'SELECT x.name, count(*) FROM u x GROUP BY x.score', code: '42803', message: 'column "x.name" must appear in the GROUP BY clause or be used in an aggregate function' },
      { sql: 'SELECT * FROM u GROUP BY score', code: '42803' },
      { sql: 'SELECT score FROM u GROUP BY name ORDER BY score', code: '42803' },
      { sql: 'SELECT name FROM u GROUP BY name HAVING score > 1', code: '42803' },
      { sql: 'SELECT id, name, count(*) FROM u GROUP BY id ORDER BY name LIMIT 1', rows: [[1n, 'ann', 1n]] },
      { sql: 'SELECT id % 2, count(*) FROM u GROUP BY id % 2 ORDER BY id % 2', rows: [[0n, 2n], [1n, 2n]] },
      { sql: 'SELECT count(*) FROM u HAVING count(*) > 1', rows: [[4n]] },
      { sql: 'SELECT (SELECT count(*) FROM u i WHERE i.id < o.id) FROM u o ORDER BY o.id LIMIT 2', rows: [[0n], [1n]] },
      { sql: 'SELECT * FROM nope', code: '42P01', message: 'relation "nope" does not exist' },
      { sql: 'SELECT id FROM u WHERE name = 1', code: '42883' },
      { sql: 'SELECT DISTINCT ON (id) id FROM u', code: '0A000' },
    ]));

  it('DML: INSERT/UPDATE/DELETE, RETURNING, ON CONFLICT, parameters', () =>
    runGroup([
      { sql: 'CREATE TABLE d (id int8 PRIMARY KEY, v text NOT NULL, b bytea, f bool DEFAULT false)' },
      { sql: 'INSERT INTO d (id, v, b) VALUES ($1, $2, $3)', paramOids: [20, 25, 17], params: [1n, 'one', new Uint8Array(0)] },
      { sql: 'SELECT b, f FROM d', rows: [[new Uint8Array(0), false]] },
      { sql: 'INSERT INTO d VALUES (2, $1), (3, $2) RETURNING *', params: ['two', 'three'], rows: [[2n, 'two', null, false], [3n, 'three', null, false]], tag: 'INSERT 0 2' },
      { sql: 'INSERT INTO d SELECT id + 10, v FROM d WHERE id < 3', tag: 'INSERT 0 2' },
      { sql: "INSERT INTO d VALUES (1, 'x') ON CONFLICT (id) DO NOTHING", tag: 'INSERT 0 0' },
      { sql: "INSERT INTO d VALUES (1, 'x') ON CONFLICT ON CONSTRAINT d_pkey DO UPDATE SET v = excluded.v || d.v RETURNING v", rows: [['xone']], tag: 'INSERT 0 1' },
      { sql: 'UPDATE d SET v = $1 WHERE id = $2', paramOids: [25, 20], params: ['upd', 2n], tag: 'UPDATE 1' },
      { sql: 'UPDATE d SET f = true WHERE id > 10 RETURNING id', rows: [[11n], [12n]], tag: 'UPDATE 2' },
      { sql: 'DELETE FROM d WHERE f', tag: 'DELETE 2' },
      { sql: 'DELETE FROM d WHERE id = $1 RETURNING v', params: [3n], rows: [['three']], tag: 'DELETE 1' },
      { sql: 'SELECT id, v FROM d ORDER BY id', rows: [[1n, 'xone'], [2n, 'upd']], tag: 'SELECT 2' },
      { sql: "INSERT INTO d VALUES ('x', 'a')", code: '22P02', message: 'invalid input syntax for type bigint: "x"' },
      { sql: "INSERT INTO d VALUES (9223372036854775808, 'a')", code: '22003' },
      { sql: 'INSERT INTO d VALUES ($1, $2)', params: [5n, 'a\u0000b'], code: '22021' },
      { sql: 'INSERT INTO d VALUES ($1, $2)', params: ['abc', 'a'], code: '22P02' },
      { sql: 'INSERT INTO d (id, v) VALUES ($1, $2)', params: [1800000000000000001n, 'a'], tag: 'INSERT 0 1' },
      { sql: 'INSERT INTO d (id, v) VALUES ($1, $2)', params: [1800000000000000001n, 'b'], code: '23505', message: 'duplicate key value violates unique constraint "d_pkey"', detail: 'Key (id)=(1800000000000000001) already exists.' },
      { sql: 'INSERT INTO d (nope) VALUES (1)', code: '42703' },
      { sql: "UPDATE d SET v = NULL", code: '23502' },
      { sql: 'CREATE TABLE w (i2 int2, i4 int4, vc varchar(5), n numeric)' },
      { sql: "INSERT INTO w VALUES (1, 2, 'abc  ', 7), (NULL, NULL, NULL, NULL)", tag: 'INSERT 0 2' },
      { sql: 'DELETE FROM w WHERE vc IS NULL', tag: 'DELETE 1' },
      { sql: "INSERT INTO w (vc) VALUES ('abcdef')", code: '22001', message: 'value too long for type character varying(5)' },
      { sql: 'INSERT INTO w (vc) VALUES ($1)', params: ['abcdefgh'], code: '22001' },
      { sql: "INSERT INTO w (vc) VALUES ('abcde   ') RETURNING vc", rows: [['abcde']] },
      { sql: 'INSERT INTO w (i4) VALUES (3000000000)', code: '22003', message: 'integer out of range' },
      { sql: 'UPDATE w SET i2 = i4 * 100000 WHERE i4 = 2', code: '22003', message: 'smallint out of range' },
      { sql: 'INSERT INTO w (i2) SELECT i4 FROM w', code: '0A000' },
      { sql: 'SELECT i2, i4, vc, n FROM w ORDER BY vc', rows: [[1n, 2n, 'abc  ', '7'], [null, null, 'abcde', null]], oids: [21, 23, 1043, 1700] },
      { sql: 'CREATE TABLE w2 (c char(3))', code: '0A000' },
      { sql: 'CREATE TABLE w3 (n numeric(10, 2))', code: '0A000' },
      { sql: 'INSERT INTO d (id, v) VALUES (7, $1)', params: ['x'.repeat(2_000_001)], code: '54000' },
    ]));

  it('system relations, session functions, row comparisons, many parameters', () =>
    runGroup([
      { sql: 'CREATE SCHEMA convex' },
      { sql: 'CREATE TABLE convex.docs (ts int8 NOT NULL, id bytea NOT NULL, v text, PRIMARY KEY (ts, id))' },
      { sql: "SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'convex'", rows: [['convex']], oids: [19] },
      { sql: 'SELECT schema_name FROM information_schema.schemata ORDER BY 1', rows: [['convex'], ['information_schema'], ['pg_catalog'], ['public']] },
      { sql: "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'convex'", rows: [['docs', 'BASE TABLE']], oids: [19, 1043] },
      { sql: "SELECT column_name, ordinal_position, is_nullable, data_type FROM information_schema.columns WHERE table_name = 'docs' ORDER BY ordinal_position", rows: [['ts', 1n, 'NO', 'bigint'], ['id', 2n, 'NO', 'bytea'], ['v', 3n, 'YES', 'text']] },
      { sql: 'SELECT tablename FROM pg_tables WHERE schemaname = $1', params: ['convex'], rows: [['docs']] },
      { sql: 'SELECT relname FROM pg_class', code: '0A000' },
      { sql: "SELECT to_regclass('convex.docs'), to_regclass('convex.nope'), to_regclass('docs_pkey')", rows: [['convex.docs', null, null]], oids: [2205, 2205, 2205] },
      { sql: "SELECT to_regclass('convex.docs') IS NULL", rows: [[false]] },
      { sql: 'SELECT current_user, session_user, current_database(), current_catalog', rows: [['u', 'u', 'd', 'd']], oids: [19, 19, 19, 19] },
      { sql: "SELECT now() > '2024-01-01'::timestamptz, current_timestamp IS NOT NULL", rows: [[true, true]], oids: [16, 16] },
      { sql: 'SHOW transaction_read_only', rows: [['off']] },
      { sql: "INSERT INTO convex.docs VALUES (1, '\\x01', 'a'), (1, '\\x02', 'b'), (2, '\\x01', 'c')", tag: 'INSERT 0 3' },
      { sql: 'SELECT v FROM convex.docs WHERE (ts, id) > ($1, $2) ORDER BY ts, id', paramOids: [20, 17], params: [1n, Uint8Array.from([1])], rows: [['b'], ['c']] },
      { sql: 'SELECT v FROM convex.docs WHERE (ts, id) > (1, 2)', code: '42883' },
      {
        sql: `INSERT INTO convex.docs (ts, id, v) VALUES ${Array.from({ length: 60 }, (_, i) => `($${i * 2 + 1}, '\\x00', $${i * 2 + 2})`).join(', ')}`,
        params: Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? BigInt(1000 + i) : `v'${i}\u0001?1`)),
        tag: 'INSERT 0 60',
      },
      { sql: 'SELECT count(*), min(v), max(ts) FROM convex.docs WHERE ts >= 1000', rows: [[60n, "v'1\u0001?1", 1118n]] },
    ]));

  it('transactions: implicit, honest refusals, warnings', () =>
    runGroup([
      { sql: 'CREATE TABLE m (id int4 PRIMARY KEY)' },
      { sql: 'INSERT INTO m VALUES (1); INSERT INTO m VALUES (1)', code: '23505' },
      { sql: 'SELECT count(*) FROM m', rows: [[0n]] },
      { sql: 'INSERT INTO m VALUES (5)', tag: 'INSERT 0 1' },
      // Autocommit: the statement is its own transaction, so its row lock excludes nothing.
      { sql: 'SELECT id FROM m WHERE id = 5 FOR SHARE', rows: [[5n]] },
      { sql: 'SELECT id FROM m FOR UPDATE NOWAIT', rows: [[5n]] },
      { sql: 'BEGIN', code: '0A000', message: 'explicit transactions are not supported yet' },
      { sql: 'START TRANSACTION', code: '0A000' },
      { sql: 'ROLLBACK', tag: 'ROLLBACK' },
      { sql: 'COMMIT', tag: 'COMMIT' },
    ]));
});
