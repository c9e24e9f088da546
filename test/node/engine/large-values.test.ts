/**
 * bytea values larger than a row, through the real stack (pg → shim → tunnel → Durable
 * Object), beside PostgreSQL 15 running the same statements: binary parameters of 3 MiB and
 * 32 MiB come back byte for byte, as do Convex's UNNEST batches mixing small and large
 * documents and their upserts. Values are compared by SHA-256 so a failure prints a line.
 * The time a 32 MiB insert and read take through our stack is printed (not asserted).
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Endpoint, startOurStack, startPair, startReference } from '../differential/endpoints.ts';

const MiB = 1024 * 1024;
let reference: Endpoint;
let ours: Endpoint;
const clients: pg.Client[] = [];

const DOCUMENTS = `CREATE TABLE documents (id BYTEA NOT NULL, ts BIGINT NOT NULL, table_id BYTEA NOT NULL, json_value BYTEA NOT NULL,
  deleted BOOLEAN DEFAULT false, prev_ts BIGINT, PRIMARY KEY (ts, table_id, id))`;
const UPSERT = `INSERT INTO documents (id, ts, table_id, json_value, deleted, prev_ts)
  SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BOOLEAN[], $6::BIGINT[])
  ON CONFLICT ON CONSTRAINT documents_pkey DO UPDATE SET deleted = excluded.deleted, json_value = excluded.json_value`;

beforeAll(async () => {
  [reference, ours] = await startPair(startReference, startOurStack);
  for (const e of [reference, ours]) {
    const c = new pg.Client({ connectionString: e.url });
    await c.connect();
    await c.query(DOCUMENTS);
    clients.push(c);
  }
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.end()));
  await Promise.allSettled([reference?.stop(), ours?.stop()]);
}, 60_000);

const digest = (b: unknown) => (b instanceof Uint8Array ? `${b.length}:${createHash('sha256').update(b).digest('hex').slice(0, 24)}` : `not bytea: ${String(b)}`);

/** Runs on both ends; returns [PostgreSQL's, ours]. */
function both<T>(fn: (c: pg.Client) => Promise<T>): Promise<[T, T]> {
  return Promise.all([fn(clients[0]), fn(clients[1])]) as Promise<[T, T]>;
}

const id = (n: number) => Buffer.from([n]);
const TABLE = Buffer.from([9]);

async function documents(c: pg.Client): Promise<string[][]> {
  const r = await c.query({ text: 'SELECT id, json_value, length(json_value) FROM documents ORDER BY ts, table_id, id', rowMode: 'array' });
  return r.rows.map((row) => [digest(row[0]), digest(row[1]), String(row[2])]);
}

describe('large bytea values through the stack, against PostgreSQL 15', () => {
  it('3 MiB and 32 MiB binary parameters come back exactly', async () => {
    const three = randomBytes(3 * MiB);
    const big = randomBytes(32 * MiB);
    await both((c) => c.query('INSERT INTO documents (id, ts, table_id, json_value) VALUES ($1, 1, $2, $3)', [id(1), TABLE, three]));
    const started = performance.now();
    await clients[1].query('INSERT INTO documents (id, ts, table_id, json_value) VALUES ($1, 1, $2, $3)', [id(2), TABLE, big]);
    const inserted = performance.now();
    const back = await clients[1].query('SELECT json_value FROM documents WHERE id = $1 AND ts = 1', [id(2)]);
    const read = performance.now();
    await clients[0].query('INSERT INTO documents (id, ts, table_id, json_value) VALUES ($1, 1, $2, $3)', [id(2), TABLE, big]);
    console.log(`32 MiB bytea through our stack: insert ${Math.round(inserted - started)} ms, read ${Math.round(read - inserted)} ms`);
    expect(digest(back.rows[0].json_value)).toBe(digest(big));
    const [expected, got] = await both(documents);
    expect(got).toEqual(expected);
    expect(got.map((r) => r[2])).toEqual([String(3 * MiB), String(32 * MiB)]);
  }, 120_000);

  it("Convex's UNNEST batch mixing small and large documents, then upserting over them", async () => {
    const batch = (ts: number, values: Buffer[]) => [values.map((_, i) => id(10 + i)), values.map(() => String(ts)), values.map(() => TABLE), values, values.map(() => false), values.map(() => null)];
    const first = [randomBytes(200), randomBytes(3 * MiB), randomBytes(10), randomBytes(2 * MiB + 17), Buffer.alloc(0)];
    const [a, b] = await both((c) => c.query(UPSERT, batch(2, first)));
    expect(b.rowCount).toBe(a.rowCount);
    const second = [randomBytes(3 * MiB), randomBytes(5), first[2], randomBytes(4 * MiB), randomBytes(2 * MiB)];
    await both((c) => c.query(UPSERT, batch(2, second)));
    const [expected, got] = await both(documents);
    expect(got).toEqual(expected);
    expect(got.filter((r) => r[1] === digest(second[3]))).toHaveLength(1);
  }, 120_000);

  it('a large value compared in SQL is a clear 54000 here (PostgreSQL answers); the statement writes nothing', async () => {
    const large = randomBytes(3 * MiB);
    await expect(clients[1].query('SELECT id FROM documents WHERE json_value = $1', [large])).rejects.toMatchObject({ code: '54000' });
    await expect(clients[1].query('SELECT id FROM documents ORDER BY json_value')).rejects.toMatchObject({ code: '54000' });
    const [expected, got] = await both(documents);
    expect(got).toEqual(expected);
  }, 60_000);
});
