/**
 * Relation sizes and regclass inside workerd: Convex's TABLE_SIZE_QUERY with its text
 * parameter resolved when the statement runs, pg_class, regclass input and output, and the
 * size functions measured on the Durable Object's SQLite (translate/relation-size.ts).
 */
import { describe, it } from 'vitest';
import { runGroup } from './harness.ts';

const TABLE_SIZE_QUERY = `SELECT
pg_table_size($1::text::regclass),
pg_indexes_size($1::text::regclass),
(SELECT reltuples::bigint FROM pg_class WHERE oid = $1::text::regclass)`;

const schema = [
  { sql: 'CREATE SCHEMA cx' },
  { sql: 'CREATE TABLE cx.documents (id bytea NOT NULL, ts int8 NOT NULL, json_value bytea NOT NULL, PRIMARY KEY (ts, id))' },
  { sql: 'CREATE INDEX documents_by_id ON cx.documents (id, ts)' },
  { sql: 'CREATE TABLE cx.leases (id int8 PRIMARY KEY, ts int8 NOT NULL)' },
];

describe('relation sizes', () => {
  it("answers Convex's TABLE_SIZE_QUERY with int8 columns, a text parameter and real sizes", () =>
    runGroup([
      ...schema,
      // Empty: nothing stored yet.
      { sql: TABLE_SIZE_QUERY, paramOids: [25], params: ['cx.documents'], rows: [[0n, 0n, 0n]], oids: [20, 20, 20], names: ['pg_table_size', 'pg_indexes_size', 'reltuples'] },
      // Two rows: 2+8+3 and 2+8+5 bytes of values; index entries: (ts, id) and (id, ts), 10 bytes of key + 8 each.
      { sql: "INSERT INTO cx.documents VALUES ('\\x0102', 1, '\\x616263'), ('\\x0304', 2, '\\x6465666768')" },
      { sql: TABLE_SIZE_QUERY, params: ['cx.documents'], rows: [[28n, 72n, 2n]] },
      // The quoted spelling Convex builds (schema.escaped) resolves the same way.
      { sql: TABLE_SIZE_QUERY, params: ['"cx".documents'], rows: [[28n, 72n, 2n]] },
      { sql: TABLE_SIZE_QUERY, params: ['cx.leases'], rows: [[0n, 0n, 0n]] },
    ]));

  it('fails with 42P01 for an unknown relation, naming it as given', () =>
    runGroup([
      ...schema,
      { sql: TABLE_SIZE_QUERY, params: ['cx.nosuch'], code: '42P01', message: 'relation "cx.nosuch" does not exist' },
      { sql: TABLE_SIZE_QUERY, params: ["it's"], code: '42P01', message: `relation "it's" does not exist` },
      { sql: "SELECT pg_table_size('nosuch')", code: '42P01', message: 'relation "nosuch" does not exist' },
      { sql: 'SELECT $1::text::regclass', params: [null], rows: [[null]], oids: [2205] },
    ]));

  it('prints regclass values as PostgreSQL does, relative to search_path', () =>
    runGroup([
      ...schema,
      { sql: "SELECT 'cx.documents'::regclass, to_regclass('cx.documents_by_id'), to_regclass('cx.nope')", rows: [['cx.documents', 'cx.documents_by_id', null]], oids: [2205, 2205, 2205] },
      { sql: 'SET search_path TO cx' },
      { sql: "SELECT 'documents'::regclass, $1::text::regclass, to_regclass($1)", params: ['CX.Documents'], rows: [['documents', 'documents', 'documents']] },
      { sql: "SELECT pg_relation_size('documents'), pg_total_relation_size('documents'), pg_indexes_size('documents_pkey'), pg_table_size('documents_pkey')", rows: [[0n, 0n, 0n, 0n]] },
    ]));

  it('reads pg_class: tables with their OIDs, namespaces and row counts', () =>
    runGroup([
      { sql: 'CREATE TABLE t (a int4)' },
      { sql: 'INSERT INTO t VALUES (1), (2), (3)' },
      { sql: 'CREATE TABLE u (a int4)' },
      {
        sql: "SELECT relname, relnamespace, reltuples, relkind, oid = 't'::regclass FROM pg_class ORDER BY relname",
        rows: [
          ['t', 2200n, 3, 'r', true],
          // Only the tables the statement names are counted; -1 is PostgreSQL's "never analyzed".
          ['u', 2200n, -1, 'r', false],
        ],
        oids: [19, 26, 700, 18, 16],
      },
      { sql: "SELECT reltuples::int4, reltuples::int8 FROM pg_class WHERE oid = 't'::regclass", rows: [[3n, 3n]] },
    ]));

  it('stays a small statement with hundreds of tables (the regclass parameter resolves when it runs)', () =>
    runGroup([
      { sql: Array.from({ length: 400 }, (_, i) => `CREATE TABLE wide_${i} (id int8 PRIMARY KEY, body text, extra bytea)`).join('; ') },
      { sql: 'INSERT INTO wide_399 VALUES (1, $1, NULL)', params: ['abc'] },
      { sql: TABLE_SIZE_QUERY, params: ['public.wide_399'], rows: [[11n, 16n, 1n]] },
      { sql: TABLE_SIZE_QUERY, params: ['wide_400'], code: '42P01', message: 'relation "wide_400" does not exist' },
      { sql: 'SELECT count(*), sum(reltuples) FROM pg_class', rows: [[400n, -400]] },
    ]));

  it('casts floats to integers rounding half to even, with range errors', () =>
    runGroup([
      { sql: 'SELECT 2.5::float8::int8, 3.5::float8::int4, (-2.5)::float8::int2, 2.4999::float8::int8, (-7.6)::float4::int8', rows: [[2n, 4n, -2n, 2n, -8n]] },
      { sql: 'SELECT 1e19::float8::int8', code: '22003', message: 'bigint out of range' },
      { sql: 'SELECT 40000.0::float8::int2', code: '22003', message: 'smallint out of range' },
      { sql: "SELECT 'NaN'::float8::int4", code: '22003', message: 'integer out of range' },
    ]));
});
