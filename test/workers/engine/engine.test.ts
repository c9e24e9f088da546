/**
 * The engine inside workerd, through the Deployment DO's real storage: SQL in; rows, result
 * OIDs, command tags and SQLSTATEs out. Each test gets its own Durable Object.
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../worker/deployment.ts';
import type { Env } from '../../../worker/index.ts';

const env = workerEnv as unknown as Env;
import type { SqlSession, SqlValue } from '../../../tunnel/types.ts';

async function withSession(fn: (s: SqlSession) => Promise<void>): Promise<void> {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
  await runInDurableObject(stub, async (instance: Deployment) => {
    const session = await instance.engine.open({ user: 'u', database: 'd', params: {} });
    await fn(session);
  });
}

async function q(s: SqlSession, sql: string) {
  const r = await s.query(sql);
  if (r.error) throw new Error(`${r.error.sqlstate}: ${r.error.message}`);
  return r.results[r.results.length - 1];
}

describe('engine', () => {
  it('creates a table and round-trips int8, bytea and NULL exactly', async () => {
    await withSession(async (s) => {
      expect((await q(s, 'CREATE TABLE t (id int8 PRIMARY KEY, b bytea, n text)')).tag).toBe('CREATE TABLE');
      expect((await q(s, "INSERT INTO t VALUES (1800000000000000001::int8, '\\xdeadbeef', NULL), (-1, '', 'x')")).tag).toBe('INSERT 0 2');
      const r = await q(s, 'SELECT id, b, n FROM t ORDER BY id');
      expect(r.columns?.map((c) => c.typeOid)).toEqual([20, 17, 25]);
      expect(r.rows).toEqual([
        [-1n, new Uint8Array(0), 'x'],
        [1800000000000000001n, Uint8Array.from([0xde, 0xad, 0xbe, 0xef]), null],
      ]);
      expect(r.tag).toBe('SELECT 2');
    });
  });

  it('infers parameter types and binds int8 exactly at the edges', async () => {
    await withSession(async (s) => {
      await q(s, 'CREATE TABLE k (id bigint PRIMARY KEY, v integer NOT NULL)');
      const p = await s.prepare('INSERT INTO k (id, v) VALUES ($1, $2) RETURNING id, v', [0, 0]);
      expect(p.description).toEqual({ paramOids: [20, 23], columns: [expect.objectContaining({ name: 'id', typeOid: 20 }), expect.objectContaining({ name: 'v', typeOid: 23 })] });
      for (const id of [9223372036854775807n, -9223372036854775808n, 0n, '42']) {
        const r = await s.execute('INSERT INTO k (id, v) VALUES ($1, $2) RETURNING id, v', [0, 0], [id as SqlValue, 7n]);
        expect(r.error).toBeUndefined();
        expect(r.results[0].rows[0][0]).toBe(BigInt(id as bigint));
      }
      const sel = await s.execute('SELECT count(*) FROM k WHERE id > $1 LIMIT $2', [0, 0], [-1n, 10n]);
      expect(sel.results[0].rows).toEqual([[3n]]);
      expect(sel.results[0].columns?.[0]).toMatchObject({ name: 'count', typeOid: 20 });
      const d = await s.prepare('SELECT id FROM k WHERE id = $1 LIMIT $2', [0, 0]);
      expect(d.description?.paramOids).toEqual([20, 20]);
    });
  });

  it('reports PostgreSQL errors with their SQLSTATE', async () => {
    await withSession(async (s) => {
      await q(s, 'CREATE TABLE e (id int4 PRIMARY KEY, name text NOT NULL)');
      await q(s, "INSERT INTO e VALUES (1, 'a')");
      const cases: Array<[string, string]> = [
        ['SELECT * FROM missing', '42P01'],
        ['SELECT nope FROM e', '42703'],
        ['SELEC 1', '42601'],
        ["INSERT INTO e VALUES (1, 'dup')", '23505'],
        ['INSERT INTO e VALUES (2, NULL)', '23502'],
        ["SELECT 'abc'::int4", '22P02'],
        ['SELECT 99999999999::int4', '22003'],
        ['CREATE TABLE e (x int)', '42P07'],
        ['SAVEPOINT a', '25P01'],
        ['BEGIN ISOLATION LEVEL REPEATABLE READ', '0A000'],
      ];
      for (const [sql, code] of cases) {
        const r = await s.query(sql);
        expect({ sql, code: r.error?.sqlstate }).toEqual({ sql, code });
      }
      const dup = await s.query("INSERT INTO e VALUES (1, 'dup')");
      expect(dup.error?.message).toBe('duplicate key value violates unique constraint "e_pkey"');
      expect(dup.error?.constraint).toBe('e_pkey');
      const syntax = await s.query('SELECT FROM WHERE');
      expect(syntax.error?.position).toBe(13);
    });
  });

  it('makes a multi-statement simple query one implicit transaction', async () => {
    await withSession(async (s) => {
      await q(s, 'CREATE TABLE m (id int4 PRIMARY KEY)');
      const r = await s.query('INSERT INTO m VALUES (1); INSERT INTO m VALUES (2); INSERT INTO m VALUES (1)');
      expect(r.results.map((x) => x.tag)).toEqual(['INSERT 0 1', 'INSERT 0 1']);
      expect(r.error?.sqlstate).toBe('23505');
      expect((await q(s, 'SELECT count(*) FROM m')).rows).toEqual([[0n]]);
      const w = await s.query('COMMIT');
      expect(w.notices).toEqual([expect.objectContaining({ severity: 'WARNING', sqlstate: '25P01' })]);
    });
  });

  it('handles joins, grouping, subqueries, CTEs, set operations and upserts', async () => {
    await withSession(async (s) => {
      await q(s, 'CREATE SCHEMA app');
      await q(s, 'CREATE TABLE app.u (id int4 PRIMARY KEY, name text, score float8)');
      await q(s, 'CREATE TABLE app.o (id int4 PRIMARY KEY, uid int4, total int8)');
      await q(s, "INSERT INTO app.u VALUES (1, 'ann', 1.5), (2, 'bob', NULL), (3, 'cy', 2)");
      await q(s, 'INSERT INTO app.o VALUES (10, 1, 5), (11, 1, 7), (12, 2, 1)');
      await q(s, 'SET search_path TO app, public');
      expect((await q(s, 'SELECT u.name, sum(o.total) AS t FROM u JOIN o ON o.uid = u.id GROUP BY u.name ORDER BY t DESC')).rows).toEqual([
        ['ann', '12'], // sum(int8) is numeric, which travels as its decimal text
        ['bob', '1'],
      ]);
      expect((await q(s, 'SELECT name FROM u ORDER BY score')).rows).toEqual([['ann'], ['cy'], ['bob']]);
      expect((await q(s, 'SELECT name FROM u WHERE id IN (SELECT uid FROM o) AND EXISTS (SELECT 1 FROM o WHERE o.uid = u.id) ORDER BY 1')).rows).toEqual([['ann'], ['bob']]);
      expect((await q(s, 'WITH big AS (SELECT uid FROM o WHERE total > 4) SELECT count(*) FROM big')).rows).toEqual([[2n]]);
      expect((await q(s, 'SELECT id FROM u UNION SELECT uid FROM o ORDER BY 1 DESC LIMIT 2')).rows).toEqual([[3n], [2n]]);
      const up = await q(s, "INSERT INTO u VALUES (1, 'ann2', 0) ON CONFLICT (id) DO UPDATE SET name = excluded.name RETURNING id, name");
      expect(up.rows).toEqual([[1n, 'ann2']]);
      expect((await q(s, "INSERT INTO u VALUES (1, 'x', 0) ON CONFLICT DO NOTHING")).tag).toBe('INSERT 0 0');
      expect((await q(s, 'UPDATE u SET score = 3 WHERE score IS NULL')).tag).toBe('UPDATE 1');
      expect((await q(s, 'DELETE FROM o WHERE total < 6 RETURNING id')).rows).toEqual([[10n], [12n]]);
    });
  });

  it('waits for a flush before a reply only when something was written since the last one', async () => {
    const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
    await runInDurableObject(stub, async (instance: Deployment) => {
      const engine = instance.engine;
      const s = await engine.open({ user: 'u', database: 'd', params: {} });
      // The start-up recovery wrote: the first reply waits for it.
      const first = engine.flushed();
      expect(first).toBeInstanceOf(Promise);
      await first;
      expect(engine.flushed()).toBeUndefined();
      const wrote = async (sql: string, params?: SqlValue[]) => {
        const r = params ? await s.execute(sql, params.map(() => 0), params) : await s.query(sql);
        expect(r.error).toBeUndefined();
        const pending = engine.flushed();
        if (pending) await pending;
        return pending !== undefined;
      };
      expect(await wrote('CREATE TABLE f (a int4 PRIMARY KEY)')).toBe(true);
      expect(await wrote('INSERT INTO f VALUES ($1)', [1n])).toBe(true);
      expect(await wrote('SELECT a FROM f WHERE a = $1', [1n])).toBe(false);
      expect(await wrote('SELECT 1; SELECT a FROM f')).toBe(false);
      expect(await wrote('BEGIN')).toBe(false);
      expect(await wrote('SELECT a FROM f FOR UPDATE')).toBe(false);
      expect(await wrote('UPDATE f SET a = a + 1')).toBe(true);
      expect(await wrote('SELECT a FROM f')).toBe(false);
      expect(await wrote('COMMIT')).toBe(true);
      expect((await q(s, 'SELECT a FROM f')).rows).toEqual([[2n]]);
    });
  });
});
