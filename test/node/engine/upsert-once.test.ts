/**
 * INSERT … ON CONFLICT DO UPDATE that proposes the same key twice in one statement: PostgreSQL
 * fails with 21000 and writes nothing; the engine used to update the row twice. Each script
 * runs on PostgreSQL 15 and on our stack through `pg` (extended protocol, array parameters as
 * Convex's batch insert binds them), and every step's outcome must match.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Endpoint, startOurStack, startPair, startReference } from '../differential/endpoints.ts';

let reference: Endpoint;
let ours: Endpoint;

beforeAll(async () => {
  [reference, ours] = await startPair(startReference, startOurStack);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([reference?.stop(), ours?.stop()]);
}, 60_000);

type Step = [sql: string, params?: unknown[]];

interface Outcome {
  rows?: unknown[][];
  rowCount?: number | null;
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

async function runScript(endpoint: Endpoint, schema: string, steps: Step[]): Promise<Outcome[]> {
  const client = new pg.Client({ connectionString: endpoint.url, types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    const out: Outcome[] = [];
    for (const [sql, params] of steps) {
      try {
        const r = await client.query({ text: sql, values: params, rowMode: 'array' });
        out.push({ rows: r.rows, rowCount: r.rowCount });
      } catch (e) {
        const err = e as { code?: string; message: string; detail?: string; hint?: string };
        if (typeof err.code !== 'string') throw e;
        out.push({ code: err.code, message: err.message, ...(err.detail && { detail: err.detail }), ...(err.hint && { hint: err.hint }) });
      }
    }
    return out;
  } finally {
    await client.end();
  }
}

/** Runs the script on both ends; returns PostgreSQL's outcomes after checking ours equal them. */
async function same(schema: string, steps: Step[]): Promise<Outcome[]> {
  const [expected, got] = await Promise.all([runScript(reference, schema, steps), runScript(ours, schema, steps)]);
  expect(got).toEqual(expected);
  return expected;
}

const TABLE: Step = ['CREATE TABLE docs (id int8, ts int8, v text, CONSTRAINT docs_pkey PRIMARY KEY (id, ts))'];
const UPSERT = `INSERT INTO docs (id, ts, v) SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[])
  ON CONFLICT ON CONSTRAINT docs_pkey DO UPDATE SET v = excluded.v`;
const ALL: Step = ['SELECT id, ts, v FROM docs ORDER BY id, ts'];

describe('ON CONFLICT DO UPDATE touching a row twice, against PostgreSQL 15', () => {
  it('an UNNEST batch with a key twice fails with 21000 and its hint, writing nothing', async () => {
    const out = await same('twice_unnest', [
      TABLE,
      ['INSERT INTO docs VALUES (1, 10, $1)', ['old']],
      [UPSERT, [['2', '1', '2'], ['20', '10', '20'], ['a', 'b', 'c']]],
      ALL,
    ]);
    expect(out[2]).toMatchObject({ code: '21000', message: 'ON CONFLICT DO UPDATE command cannot affect row a second time' });
    expect(out[3].rows).toEqual([['1', '10', 'old']]);
  });

  it('a key twice where the first proposal updated an existing row fails too', async () => {
    const out = await same('twice_existing', [TABLE, ['INSERT INTO docs VALUES (1, 10, $1)', ['old']], [UPSERT, [['1', '1'], ['10', '10'], ['x', 'y']]], ALL]);
    expect(out[2].code).toBe('21000');
  });

  it('a multi-row VALUES list with a key twice fails the same way', async () => {
    const out = await same('twice_values', [
      TABLE,
      ['INSERT INTO docs VALUES (1, 1, $1), (1, 1, $2) ON CONFLICT (id, ts) DO UPDATE SET v = excluded.v', ['a', 'b']],
      ALL,
    ]);
    expect(out[1].code).toBe('21000');
  });

  it('distinct keys upsert normally, inserting some and updating others', async () => {
    const out = await same('distinct_keys', [TABLE, ['INSERT INTO docs VALUES (1, 10, $1)', ['old']], [UPSERT, [['1', '2', '3'], ['10', '10', '10'], ['x', 'y', 'z']]], ALL]);
    expect(out[2].rowCount).toBe(3);
    expect(out[3].rows).toEqual([
      ['1', '10', 'x'],
      ['2', '10', 'y'],
      ['3', '10', 'z'],
    ]);
  });

  it('the same key in separate statements updates each time', async () => {
    await same('separate', [TABLE, [UPSERT, [['1'], ['1'], ['a']]], [UPSERT, [['1'], ['1'], ['b']]], ALL]);
  });

  it('a NULL key never conflicts, so it cannot be touched twice', async () => {
    await same('null_keys', [
      ['CREATE TABLE u (k int8 UNIQUE, v text)'],
      ['INSERT INTO u SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[]) ON CONFLICT (k) DO UPDATE SET v = excluded.v', [[null, null], ['a', 'b']]],
      ['SELECT k, v FROM u ORDER BY v'],
    ]);
  });

  it('ON CONFLICT DO NOTHING with a key twice keeps the first, without error', async () => {
    await same('do_nothing', [TABLE, ['INSERT INTO docs SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[]) ON CONFLICT DO NOTHING', [['1', '1'], ['1', '1'], ['a', 'b']]], ALL]);
  });

  it('an update that moves the key away lets the repeated key insert a new row', async () => {
    await same('key_moves', [
      TABLE,
      ['INSERT INTO docs VALUES (1, 1, $1)', ['old']],
      ['INSERT INTO docs SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[]) ON CONFLICT (id, ts) DO UPDATE SET ts = docs.ts + 100', [['1', '1'], ['1', '1'], ['a', 'b']]],
      ALL,
    ]);
  });

  it('RETURNING rows are those of a statement that touched each row once', async () => {
    await same('upsert_returning', [TABLE, [`${UPSERT} RETURNING id, v`, [['5', '6'], ['1', '1'], ['p', 'q']]], [`${UPSERT} RETURNING id, v`, [['5', '5'], ['1', '1'], ['r', 's']]], ALL]);
  });
});

/** `n` consecutive decimal strings from `first` (int8 array elements as `pg` sends them). */
const range = (first: number, n: number) => Array.from({ length: n }, (_, i) => String(first + i));

// The engine inserts an UNNEST batch several rows per SQLite call (as many as its parameter
// limit allows: 33 here); these batches of 100 span calls, with the interesting row late.
describe('UNNEST batches spanning several SQLite calls, against PostgreSQL 15', () => {
  it('a key twice far apart fails with 21000, writing nothing', async () => {
    const ids = range(1, 100);
    ids[80] = '3';
    const out = await same('far_twice', [TABLE, [UPSERT, [ids, range(1, 100).map(() => '7'), range(1, 100)]], ALL]);
    expect(out[1].code).toBe('21000');
    expect(out[2].rows).toEqual([]);
  });

  it('a duplicate of an existing row late in the batch fails with 23505 naming its key', async () => {
    const out = await same('late_duplicate', [
      TABLE,
      ['INSERT INTO docs VALUES (70, 7, $1)', ['old']],
      ['INSERT INTO docs SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[])', [range(1, 100), range(1, 100).map(() => '7'), range(1, 100)]],
      ALL,
    ]);
    expect(out[2]).toMatchObject({ code: '23505', detail: 'Key (id, ts)=(70, 7) already exists.' });
    expect(out[3].rows).toEqual([['70', '7', 'old']]);
  });

  it('DO NOTHING skips conflicts in every call and counts the rows it inserted', async () => {
    const out = await same('spread_conflicts', [
      TABLE,
      ['INSERT INTO docs SELECT g, 7, $1 FROM generate_series(1, 100, 9) g', ['old']],
      ['INSERT INTO docs SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[]) ON CONFLICT DO NOTHING RETURNING id', [range(1, 100), range(1, 100).map(() => '7'), range(1, 100)]],
      ['SELECT count(*) FROM docs'],
      ['SELECT count(*) FROM docs WHERE v = $1', ['old']],
    ]);
    expect(out[2].rowCount).toBe(88);
  });

  it('shorter arrays pad with NULL, and RETURNING lists the rows in order', async () => {
    await same('padding', [
      ['CREATE TABLE p (id int8 PRIMARY KEY, a text, b int8)'],
      ['INSERT INTO p SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::BIGINT[]) RETURNING id, a, b', [range(1, 75), range(1, 40), range(1, 5)]],
      ['SELECT count(*), count(a), count(b) FROM p'],
    ]);
  });

  it('an upsert over existing rows in several calls updates each once', async () => {
    await same('upsert_calls', [
      TABLE,
      ['INSERT INTO docs SELECT g, 7, $1 FROM generate_series(1, 100, 2) g', ['old']],
      [`${UPSERT} RETURNING id, v`, [range(1, 100), range(1, 100).map(() => '7'), range(101, 100)]],
      ALL,
    ]);
  });
});
