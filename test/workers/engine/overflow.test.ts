/**
 * Out-of-line bytea values inside workerd (worker/engine/overflow.ts): parameters too large
 * for a row are stored as chunks and reassembled in results; nothing leaks (the overflow
 * tables are counted after every kind of write, commit, rollback and restart recovery); SQL
 * never computes on a reference (54000), and keys stay inline.
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, test } from 'vitest';
import type { Deployment } from '../../../worker/deployment.ts';
import { Engine } from '../../../worker/engine/engine.ts';
import type { Env } from '../../../worker/index.ts';
import type { ExecuteReply, SqlSession, SqlValue } from '../../../tunnel/types.ts';

const env = workerEnv as unknown as Env;
const MiB = 1024 * 1024;

/** Bytes no two calls share (a different seed each), so a mix-up cannot pass. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A value's SHA-256 in hex: large values are compared by digest, so a failure prints a line, not megabytes. */
async function digest(v: unknown): Promise<string> {
  if (!(v instanceof Uint8Array)) return `not bytea: ${String(v)}`;
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', v));
  return `${v.length}:${[...h.slice(0, 12)].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

const digests = (vs: unknown[]) => Promise.all(vs.map(digest));

interface Ctx {
  open: () => Promise<SqlSession>;
  state: DurableObjectState;
  /** Rows of the two overflow tables: [values, chunks]. */
  stored: () => [number, number];
}

async function inObject(fn: (c: Ctx) => Promise<void>) {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
  await runInDurableObject(stub, async (instance: Deployment, state) => {
    const count = (t: string) => Number(state.storage.sql.exec(`SELECT count(*) AS n FROM ${t}`).one().n);
    await fn({ open: () => instance.engine.open({ user: 'u', database: 'd', params: {} }), state, stored: () => [count('pg_meta_overflow'), count('pg_meta_overflow_chunks')] });
  });
}

async function ok(s: SqlSession, sql: string, params?: SqlValue[]): Promise<ExecuteReply> {
  const r = params ? await s.execute(sql, params.map(() => 0), params) : await s.query(sql);
  expect(r.error, sql).toBeUndefined();
  return r;
}

const rows = async (s: SqlSession, sql: string, params?: SqlValue[]) => (await ok(s, sql, params)).results.at(-1)!.rows;

async function fails(s: SqlSession, sql: string, params: SqlValue[] = []): Promise<{ sqlstate: string; message: string }> {
  const r = await s.execute(sql, params.map(() => 0), params);
  expect(r.error, sql).toBeDefined();
  return r.error!;
}

const DOCS = 'CREATE TABLE docs (id int8 PRIMARY KEY, ts int8 NOT NULL, json_value bytea NOT NULL)';
/** The digest of row `id`'s json_value. */
const value = async (s: SqlSession, id: number) => digest((await rows(s, 'SELECT json_value FROM docs WHERE id = $1', [BigInt(id)]))[0]?.[0]);

describe('bytea values larger than a row', () => {
  test('3 MiB and 32 MiB round-trip exactly; length() is right; nothing is left after DELETE', () =>
    inObject(async ({ open, stored }) => {
      const s = await open();
      await ok(s, DOCS);
      const three = bytes(3 * MiB, 1);
      const big = bytes(32 * MiB, 2);
      await ok(s, 'INSERT INTO docs VALUES ($1, $2, $3)', [1n, 10n, three]);
      expect(stored()).toEqual([1, 2]);
      await ok(s, 'INSERT INTO docs VALUES ($1, $2, $3)', [2n, 10n, big]);
      expect(stored()).toEqual([2, 2 + Math.ceil((32 * MiB) / 1_900_000)]);
      expect(await value(s, 1)).toBe(await digest(three));
      expect(await value(s, 2)).toBe(await digest(big));
      expect(await rows(s, 'SELECT id, length(json_value), octet_length(json_value), json_value IS NULL FROM docs ORDER BY id')).toEqual([
        [1n, BigInt(3 * MiB), BigInt(3 * MiB), false],
        [2n, BigInt(32 * MiB), BigInt(32 * MiB), false],
      ]);
      // A small value stays inline.
      await ok(s, 'INSERT INTO docs VALUES ($1, $2, $3)', [3n, 10n, bytes(1000, 3)]);
      expect(stored()[0]).toBe(2);
      expect((await ok(s, 'DELETE FROM docs WHERE id <= 2')).results[0].tag).toBe('DELETE 2');
      expect(stored()).toEqual([0, 0]);
    }));

  test('UPDATE to a large value, to another large value, to a small one: only the live value is kept', () =>
    inObject(async ({ open, stored }) => {
      const s = await open();
      await ok(s, DOCS);
      await ok(s, 'INSERT INTO docs VALUES (1, 1, $1)', [bytes(10, 1)]);
      await ok(s, 'UPDATE docs SET json_value = $1 WHERE id = 1', [bytes(5 * MiB, 2)]);
      expect(stored()[0]).toBe(1);
      await ok(s, 'UPDATE docs SET json_value = $1 WHERE id = 1', [bytes(4 * MiB, 3)]);
      expect(stored()).toEqual([1, 3]);
      expect(await value(s, 1)).toBe(await digest(bytes(4 * MiB, 3)));
      // Another column changes; the value stays.
      await ok(s, 'UPDATE docs SET ts = 2 WHERE id = 1');
      expect(await value(s, 1)).toBe(await digest(bytes(4 * MiB, 3)));
      await ok(s, 'UPDATE docs SET json_value = $1 WHERE id = 1', [bytes(7, 4)]);
      expect(stored()).toEqual([0, 0]);
      // An UPDATE that matches no row keeps nothing it wrote.
      await ok(s, 'UPDATE docs SET json_value = $1 WHERE id = 99', [bytes(3 * MiB, 5)]);
      expect(stored()).toEqual([0, 0]);
    }));

  test("Convex's UNNEST batch: small and large documents mixed, upserted, and re-read through its queries", () =>
    inObject(async ({ open, stored }) => {
      const s = await open();
      await ok(s, 'CREATE TABLE documents (id bytea NOT NULL, ts int8 NOT NULL, table_id bytea NOT NULL, json_value bytea NOT NULL, deleted bool DEFAULT false, prev_ts int8, PRIMARY KEY (ts, table_id, id))');
      const insert = `INSERT INTO documents (id, ts, table_id, json_value, deleted, prev_ts)
        SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BOOLEAN[], $6::BIGINT[])
        ON CONFLICT ON CONSTRAINT documents_pkey DO UPDATE SET deleted = excluded.deleted, json_value = excluded.json_value`;
      const ids = [1, 2, 3, 4].map((i) => new Uint8Array([i]));
      const docs = [bytes(100, 1), bytes(3 * MiB, 2), bytes(50, 3), bytes(2 * MiB, 4)];
      const batch = (values: Uint8Array[]) => [ids, [7n, 7n, 7n, 7n], ids.map(() => new Uint8Array([9])), values, [false, false, false, false], [null, null, null, null]];
      expect((await ok(s, insert, batch(docs))).results[0].tag).toBe('INSERT 0 4');
      expect(stored()[0]).toBe(2);
      // Upsert: 1 becomes large, 2 small, 4 another large.
      const next = [bytes(2 * MiB, 5), bytes(10, 6), bytes(50, 3), bytes(3 * MiB, 7)];
      expect((await ok(s, insert, batch(next))).results[0].tag).toBe('INSERT 0 4');
      expect(stored()[0]).toBe(2);
      const page = await rows(s, 'SELECT D.id, D.json_value FROM documents D WHERE (D.ts, D.table_id, D.id) > ($1, $2, $3) ORDER BY D.ts, D.table_id, D.id LIMIT $4', [0n, new Uint8Array(), new Uint8Array(), 10n]);
      expect(await digests(page.map((r) => r[1]))).toEqual(await digests(next));
      // Convex's point reads: one ORDER BY … LIMIT 1 per CTE, joined by UNION ALL.
      const ctes = [1, 4].map((i, k) => `q${k} AS (SELECT id, ts, json_value, $${k + 2}::BIGINT AS query_ts FROM documents WHERE id = $${k + 4} AND ts <= $1 ORDER BY ts DESC LIMIT 1)`);
      const union = `WITH ${ctes.join(', ')} SELECT id, json_value, query_ts FROM q0 UNION ALL SELECT id, json_value, query_ts FROM q1`;
      expect(await digests((await rows(s, union, [7n, 1n, 2n, ids[0], ids[3]])).map((r) => r[1]))).toEqual(await digests([next[0], next[3]]));
      // A FROM subquery carries them too; DO NOTHING keeps nothing it did not store.
      expect(await digest((await rows(s, 'SELECT d.json_value FROM (SELECT id, json_value FROM documents) AS d WHERE d.id = $1', [ids[3]]))[0][0])).toBe(await digest(next[3]));
      await ok(s, 'INSERT INTO documents (id, ts, table_id, json_value) VALUES ($1, 7, $2, $3) ON CONFLICT DO NOTHING', [ids[0], new Uint8Array([9]), bytes(3 * MiB, 8)]);
      expect(stored()[0]).toBe(2);
      expect(await digest((await rows(s, 'DELETE FROM documents WHERE id = $1 RETURNING json_value', [ids[3]]))[0][0])).toBe(await digest(next[3]));
      expect(stored()[0]).toBe(1);
    }));

  test('explicit transactions: ROLLBACK restores the committed value, COMMIT frees the replaced one, others read the committed one', () =>
    inObject(async ({ open, stored }) => {
      const a = await open();
      const b = await open();
      await ok(a, DOCS);
      const v1 = bytes(3 * MiB, 1);
      await ok(a, 'INSERT INTO docs VALUES (1, 1, $1)', [v1]);
      await ok(a, 'INSERT INTO docs VALUES (2, 1, $1)', [bytes(8, 2)]);
      expect(stored()[0]).toBe(1);

      await ok(a, 'BEGIN');
      await ok(a, 'UPDATE docs SET json_value = $1 WHERE id = 1', [bytes(4 * MiB, 3)]);
      await ok(a, 'UPDATE docs SET json_value = $1 WHERE id = 1', [bytes(2 * MiB, 4)]);
      await ok(a, 'INSERT INTO docs VALUES (3, 1, $1)', [bytes(3 * MiB, 5)]);
      await ok(a, 'UPDATE docs SET json_value = $1 WHERE id = 2', [bytes(2 * MiB, 6)]);
      // The committed value survives for ROLLBACK and for other sessions; the intermediate one is gone.
      expect(stored()[0]).toBe(4);
      expect(await value(a, 1)).toBe(await digest(bytes(2 * MiB, 4)));
      expect(await value(b, 1)).toBe(await digest(v1));
      expect(await rows(b, 'SELECT id FROM docs ORDER BY id')).toEqual([[1n], [2n]]);
      await ok(a, 'ROLLBACK');
      expect(stored()[0]).toBe(1);
      expect(await value(a, 1)).toBe(await digest(v1));
      expect(await value(a, 2)).toBe(await digest(bytes(8, 2)));

      await ok(a, 'BEGIN');
      await ok(a, 'UPDATE docs SET json_value = $1 WHERE id = 1', [bytes(2 * MiB, 7)]);
      await ok(a, 'DELETE FROM docs WHERE id = 2');
      expect(await value(b, 1)).toBe(await digest(v1));
      await ok(a, 'COMMIT');
      expect(stored()[0]).toBe(1);
      expect(await value(b, 1)).toBe(await digest(bytes(2 * MiB, 7)));

      await ok(a, 'BEGIN');
      await ok(a, 'DELETE FROM docs WHERE id = 1');
      expect(await value(b, 1)).toBe(await digest(bytes(2 * MiB, 7)));
      await ok(a, 'COMMIT');
      expect(stored()).toEqual([0, 0]);
    }));

  test('a restart rolls back an open transaction and keeps exactly the committed values', () =>
    inObject(async ({ open, state, stored }) => {
      const a = await open();
      await ok(a, DOCS);
      const v1 = bytes(3 * MiB, 1);
      await ok(a, 'INSERT INTO docs VALUES (1, 1, $1)', [v1]);
      await ok(a, 'BEGIN');
      await ok(a, 'UPDATE docs SET json_value = $1 WHERE id = 1', [bytes(2 * MiB, 2)]);
      await ok(a, 'INSERT INTO docs VALUES (2, 1, $1)', [bytes(2 * MiB, 3)]);
      expect(stored()[0]).toBe(3);
      // A new engine over the same storage is what a restarted Durable Object builds.
      const restarted = new Engine(state.storage);
      expect(stored()).toEqual([1, 2]);
      const s = await restarted.open({ user: 'u', database: 'd', params: {} });
      expect(await value(s, 1)).toBe(await digest(v1));
      expect(await rows(s, 'SELECT count(*) FROM docs')).toEqual([[1n]]);
    }));

  test('SQL never computes on an out-of-line value: 54000, never a wrong answer', () =>
    inObject(async ({ open }) => {
      const s = await open();
      await ok(s, DOCS);
      await ok(s, 'INSERT INTO docs VALUES (1, 1, $1)', [bytes(3 * MiB, 1)]);
      await ok(s, 'INSERT INTO docs VALUES (2, 1, $1)', [bytes(10, 2)]);
      for (const sql of [
        "SELECT id FROM docs WHERE json_value = '\\x00'",
        "SELECT id FROM docs WHERE json_value > '\\x00'",
        'SELECT id FROM docs ORDER BY json_value',
        'SELECT DISTINCT json_value FROM docs',
        'SELECT json_value FROM docs GROUP BY json_value',
        'SELECT json_value FROM docs UNION SELECT json_value FROM docs',
        'SELECT coalesce(json_value, json_value) FROM docs',
        'SELECT (SELECT json_value FROM docs WHERE id = 1)',
        'SELECT id FROM docs WHERE json_value IN (SELECT json_value FROM docs)',
        'INSERT INTO docs SELECT id + 10, ts, json_value FROM docs',
        'UPDATE docs SET json_value = json_value',
      ]) {
        expect(await fails(s, sql), sql).toMatchObject({ sqlstate: '54000' });
      }
      // Which rows are small still decides nothing wrongly: the guard fires before any answer.
      expect(await rows(s, 'SELECT id FROM docs WHERE json_value IS NOT NULL ORDER BY id')).toEqual([[1n], [2n]]);
      // A large parameter compared, or into a key, is refused naming the limit.
      const compared = await fails(s, 'SELECT id FROM docs WHERE json_value = $1', [bytes(3 * MiB, 1)]);
      expect(compared).toMatchObject({ sqlstate: '54000', message: expect.stringContaining('outside every index and key') });
      await ok(s, 'CREATE TABLE keyed (k bytea PRIMARY KEY, v bytea)');
      expect(await fails(s, 'INSERT INTO keyed VALUES ($1, $2)', [bytes(3 * MiB, 3), bytes(1, 4)])).toMatchObject({ sqlstate: '54000', message: expect.stringContaining('parameter $1') });
      await ok(s, 'INSERT INTO keyed VALUES ($1, $2)', [bytes(1, 3), bytes(3 * MiB, 4)]);
      expect(await fails(s, 'CREATE INDEX keyed_v ON keyed (v)')).toMatchObject({ sqlstate: '54000', message: expect.stringContaining('"v"') });
      expect(await fails(s, 'SELECT $1::bytea', [bytes(3 * MiB, 5)])).toMatchObject({ sqlstate: '54000' });
    }));

  test('one large parameter is never shared by several rows: 54000, nothing written', () =>
    inObject(async ({ open, stored }) => {
      const s = await open();
      await ok(s, DOCS);
      await ok(s, 'INSERT INTO docs VALUES (1, 1, $1), (2, 1, $2)', [bytes(3 * MiB, 1), bytes(10, 2)]);
      expect(stored()[0]).toBe(1);
      const big = bytes(2 * MiB, 3);
      for (const sql of ['UPDATE docs SET json_value = $1', 'INSERT INTO docs SELECT id + 10, ts, $1 FROM docs', 'INSERT INTO docs VALUES (1, 1, $2), (2, 1, $2) ON CONFLICT (id) DO UPDATE SET json_value = $1']) {
        const params = sql.includes('$2') ? [big, bytes(5, 4)] : [big];
        expect(await fails(s, sql, params), sql).toMatchObject({ sqlstate: '54000', message: expect.stringContaining('several rows') });
      }
      expect(stored()[0]).toBe(1);
      expect(await value(s, 1)).toBe(await digest(bytes(3 * MiB, 1)));
      // One row from a SELECT without FROM is fine.
      await ok(s, 'INSERT INTO docs SELECT 3, 1, $1', [big]);
      expect(await value(s, 3)).toBe(await digest(big));
      expect(stored()[0]).toBe(2);
    }));

  test('DROP TABLE and DROP SCHEMA … CASCADE take their values with them', () =>
    inObject(async ({ open, stored }) => {
      const s = await open();
      await ok(s, DOCS);
      await ok(s, 'CREATE SCHEMA x');
      await ok(s, 'CREATE TABLE x.t (v bytea)');
      await ok(s, 'INSERT INTO docs VALUES (1, 1, $1)', [bytes(3 * MiB, 1)]);
      await ok(s, 'INSERT INTO x.t VALUES ($1), ($2)', [bytes(2 * MiB, 2), bytes(2 * MiB, 3)]);
      expect(stored()[0]).toBe(3);
      await ok(s, 'DROP TABLE docs');
      expect(stored()[0]).toBe(2);
      await ok(s, 'DROP SCHEMA x CASCADE');
      expect(stored()).toEqual([0, 0]);
    }));
});
