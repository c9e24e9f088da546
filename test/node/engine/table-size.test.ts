/**
 * Convex's TABLE_SIZE_QUERY (crates/postgres/src/sql.rs) on PostgreSQL 15 and on our stack:
 * the same parameter and result types in Describe, the same shape of answer (one row of three
 * non-NULL int8), 42P01 worded the same for an unknown relation. The values differ by design:
 * PostgreSQL counts 8 kB pages and estimates reltuples (-1 before ANALYZE); we count stored
 * bytes and rows (translate/relation-size.ts), which the last test checks.
 */
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Endpoint, startOurStack, startPair, startReference } from '../differential/endpoints.ts';

const TABLE_SIZE_QUERY = `SELECT
pg_table_size($1::text::regclass),
pg_indexes_size($1::text::regclass),
(SELECT reltuples::bigint FROM pg_class WHERE oid = $1::text::regclass)`;

const SETUP = [
  'CREATE SCHEMA convex_self_hosted',
  `CREATE TABLE convex_self_hosted.documents (id BYTEA NOT NULL, ts BIGINT NOT NULL, table_id BYTEA NOT NULL,
     json_value BYTEA NOT NULL, deleted BOOLEAN DEFAULT false, prev_ts BIGINT, PRIMARY KEY (ts, table_id, id))`,
  'CREATE INDEX documents_by_table_and_id ON convex_self_hosted.documents (table_id, id, ts)',
  `INSERT INTO convex_self_hosted.documents (id, ts, table_id, json_value) VALUES ('\\x01', 1, '\\x02', '\\x7b7d'), ('\\x03', 2, '\\x02', '\\x7b2261223a317d')`,
];

let reference: Endpoint;
let ours: Endpoint;
const clients: pg.Client[] = [];

beforeAll(async () => {
  [reference, ours] = await startPair(startReference, startOurStack);
  for (const e of [reference, ours]) {
    const c = new pg.Client({ connectionString: e.url, types: { getTypeParser: () => (v: string) => v } });
    await c.connect();
    for (const s of SETUP) await c.query(s);
    clients.push(c);
  }
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.end()));
  await Promise.allSettled([reference?.stop(), ours?.stop()]);
}, 60_000);

async function run(client: pg.Client, name: string) {
  try {
    const r = await client.query({ text: TABLE_SIZE_QUERY, values: [name], rowMode: 'array' });
    return { rows: r.rows as (string | null)[][], types: r.fields.map((f) => f.dataTypeID), names: r.fields.map((f) => f.name) };
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { code: err.code, message: err.message };
  }
}

describe('TABLE_SIZE_QUERY against PostgreSQL 15', () => {
  it('describes the same parameter and result types (text in; int8, int8, int8 out)', async () => {
    const describe = async (e: Endpoint) => {
      const sql = postgres(e.url, { max: 1, fetch_types: false });
      try {
        const d = await sql.unsafe(TABLE_SIZE_QUERY).describe();
        return { params: d.types, columns: d.columns.map((c) => [c.name, c.type]) };
      } finally {
        await sql.end();
      }
    };
    const [expected, got] = await Promise.all([describe(reference), describe(ours)]);
    expect(expected).toEqual({ params: [25], columns: [['pg_table_size', 20], ['pg_indexes_size', 20], ['reltuples', 20]] });
    expect(got).toEqual(expected);
  });

  it('answers one row of three non-NULL int8 for the spellings Convex sends', async () => {
    for (const name of ['convex_self_hosted.documents', '"convex_self_hosted".documents', '"convex_self_hosted"."documents"']) {
      const [a, b] = await Promise.all(clients.map((c) => run(c, name)));
      const shape = (r: Awaited<ReturnType<typeof run>>) => ('rows' in r ? { types: r.types, names: r.names, rows: r.rows!.length, ints: r.rows![0].every((v) => v !== null && /^-?\d+$/.test(v)) } : r);
      expect(shape(b)).toEqual(shape(a));
      expect(shape(a)).toMatchObject({ rows: 1, ints: true });
    }
  });

  it('fails with 42P01 worded as PostgreSQL words it for an unknown relation', async () => {
    for (const name of ['convex_self_hosted.nosuch', 'nosuch']) {
      const [a, b] = await Promise.all(clients.map((c) => run(c, name)));
      expect(a).toMatchObject({ code: '42P01' });
      expect(b).toEqual(a);
    }
  });

  it('measures our sizes from what is stored: value bytes, index key bytes, exact row count', async () => {
    const got = await run(clients[1], 'convex_self_hosted.documents');
    // Rows: 1+8+1+2+8(bool)+0 and 1+8+1+7+8+0 bytes; index entries: (ts, table_id, id) and (table_id, id, ts) = 10 bytes + 8 each.
    expect(got).toMatchObject({ rows: [['45', String(2 * 2 * 18), '2']] });
  });
});
