/**
 * Explicit transactions inside workerd: several engine sessions of one Durable Object, as the
 * tunnel drives them. PostgreSQL-observable behaviour: isolation, atomicity, locks, timeouts,
 * recovery of a transaction left open by a restart. (Wire-level and differential tests against
 * PostgreSQL 15 live in test/node/transactions.)
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, test } from 'vitest';
import type { Deployment } from '../../../worker/deployment.ts';
import { Engine } from '../../../worker/engine/engine.ts';
import type { Env } from '../../../worker/index.ts';
import type { ExecuteReply, SqlSession } from '../../../tunnel/types.ts';

const env = workerEnv as unknown as Env;

async function inObject(fn: (open: () => Promise<SqlSession>, instance: Deployment, state: DurableObjectState) => Promise<void>) {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
  await runInDurableObject(stub, async (instance: Deployment, state) => {
    await fn(() => instance.engine.open({ user: 'u', database: 'd', params: {} }), instance, state);
  });
}

async function ok(s: SqlSession, sql: string): Promise<ExecuteReply> {
  const r = await s.query(sql);
  expect(r.error, sql).toBeUndefined();
  return r;
}

const rows = async (s: SqlSession, sql: string) => (await ok(s, sql)).results.at(-1)!.rows;

describe('explicit transactions', () => {
  test('own writes visible inside, invisible to others until COMMIT, exact counts', () =>
    inObject(async (open) => {
      const a = await open();
      const b = await open();
      await ok(a, 'CREATE TABLE t (id int8 PRIMARY KEY, v text)');
      await ok(a, "INSERT INTO t VALUES (1, 'one'), (2, 'two')");
      expect((await ok(a, 'BEGIN')).txStatus).toBe('T');
      expect((await ok(a, "INSERT INTO t VALUES (3, 'three')")).results[0].tag).toBe('INSERT 0 1');
      expect((await ok(a, "UPDATE t SET v = 'uno' WHERE id = 1")).results[0].tag).toBe('UPDATE 1');
      expect((await ok(a, 'DELETE FROM t WHERE id = 2')).results[0].tag).toBe('DELETE 1');
      expect(await rows(a, 'SELECT id, v FROM t ORDER BY id')).toEqual([[1n, 'uno'], [3n, 'three']]);
      // The other session sees the committed state only.
      expect(await rows(b, 'SELECT id, v FROM t ORDER BY id')).toEqual([[1n, 'one'], [2n, 'two']]);
      expect(await rows(b, 'SELECT count(*) FROM t WHERE id > 0')).toEqual([[2n]]);
      expect((await ok(a, 'COMMIT')).txStatus).toBe('I');
      expect(await rows(b, 'SELECT id, v FROM t ORDER BY id')).toEqual([[1n, 'uno'], [3n, 'three']]);
    }));

  test('ROLLBACK restores every row exactly; a closed session rolls back', () =>
    inObject(async (open) => {
      const a = await open();
      await ok(a, 'CREATE TABLE t (id int8 PRIMARY KEY, b bytea)');
      await ok(a, "INSERT INTO t VALUES (1, '\\x00'), (2, '')");
      await ok(a, 'BEGIN');
      await ok(a, "INSERT INTO t VALUES (3, '\\x03')");
      await ok(a, "UPDATE t SET b = '\\xff' WHERE id = 2");
      await ok(a, 'DELETE FROM t WHERE id = 1');
      await ok(a, "INSERT INTO t VALUES (1, '\\x01')");
      await ok(a, 'ROLLBACK');
      const committed = [[1n, new Uint8Array([0])], [2n, new Uint8Array()]];
      expect(await rows(a, 'SELECT id, b FROM t ORDER BY id')).toEqual(committed);
      const c = await open();
      await ok(c, 'BEGIN');
      await ok(c, 'DELETE FROM t');
      await c.close();
      expect(await rows(a, 'SELECT id, b FROM t ORDER BY id')).toEqual(committed);
    }));

  test('a failed statement fails the transaction: 25P02 until ROLLBACK, COMMIT reports ROLLBACK', () =>
    inObject(async (open) => {
      const a = await open();
      await ok(a, 'CREATE TABLE t (id int8 PRIMARY KEY)');
      await ok(a, 'BEGIN');
      await ok(a, 'INSERT INTO t VALUES (1)');
      const dup = await a.query('INSERT INTO t VALUES (1)');
      expect([dup.error?.sqlstate, dup.txStatus]).toEqual(['23505', 'E']);
      const next = await a.query('SELECT 1');
      expect([next.error?.sqlstate, next.txStatus]).toEqual(['25P02', 'E']);
      const commit = await a.query('COMMIT');
      expect([commit.error, commit.results[0].tag, commit.txStatus]).toEqual([undefined, 'ROLLBACK', 'I']);
      expect(await rows(a, 'SELECT count(*) FROM t')).toEqual([[0n]]);
    }));

  test('COMMIT/ROLLBACK without a transaction warn 25P01; BEGIN twice warns 25001', () =>
    inObject(async (open) => {
      const a = await open();
      expect((await ok(a, 'COMMIT')).notices.map((n) => n.sqlstate)).toEqual(['25P01']);
      expect((await ok(a, 'ROLLBACK')).notices.map((n) => n.sqlstate)).toEqual(['25P01']);
      await ok(a, 'START TRANSACTION ISOLATION LEVEL READ COMMITTED');
      expect((await ok(a, 'BEGIN')).notices.map((n) => n.sqlstate)).toEqual(['25001']);
      expect((await ok(a, 'END')).results[0].tag).toBe('COMMIT');
      const serializable = await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      expect(serializable.error?.sqlstate).toBe('0A000');
    }));

  test('READ ONLY transactions refuse writes with 25006', () =>
    inObject(async (open) => {
      const a = await open();
      await ok(a, 'CREATE TABLE t (id int8)');
      await ok(a, 'BEGIN READ ONLY');
      expect(await rows(a, 'SHOW transaction_read_only')).toEqual([['on']]);
      const w = await a.query('INSERT INTO t VALUES (1)');
      expect([w.error?.sqlstate, w.error?.message]).toEqual(['25006', 'cannot execute INSERT in a read-only transaction']);
      await ok(a, 'ROLLBACK');
      expect(await rows(a, 'SHOW transaction_read_only')).toEqual([['off']]);
    }));

  test('a multi-statement query is one implicit transaction; BEGIN inside it makes it explicit', () =>
    inObject(async (open) => {
      const a = await open();
      await ok(a, 'CREATE TABLE t (id int8 PRIMARY KEY)');
      const r = await a.query('INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)');
      expect([r.error?.sqlstate, r.txStatus]).toEqual(['23505', 'I']);
      expect(await rows(a, 'SELECT count(*) FROM t')).toEqual([[0n]]);
      const open1 = await ok(a, 'INSERT INTO t VALUES (1); BEGIN; INSERT INTO t VALUES (2)');
      expect(open1.txStatus).toBe('T');
      await ok(a, 'ROLLBACK');
      expect(await rows(a, 'SELECT count(*) FROM t')).toEqual([[0n]]);
      const both = await ok(a, 'BEGIN; INSERT INTO t VALUES (5); COMMIT; INSERT INTO t VALUES (6)');
      expect(both.txStatus).toBe('I');
      expect(await rows(a, 'SELECT id FROM t ORDER BY id')).toEqual([[5n], [6n]]);
    }));
});

describe('locks', () => {
  test('a writer waits for another transaction writing the same table, then sees its commit', () =>
    inObject(async (open) => {
      const a = await open();
      const b = await open();
      await ok(a, 'CREATE TABLE acct (id int8 PRIMARY KEY, bal int8)');
      await ok(a, 'INSERT INTO acct VALUES (1, 100)');
      await ok(a, 'BEGIN');
      await ok(a, 'UPDATE acct SET bal = bal - 10 WHERE id = 1');
      let done = false;
      const waiting = b.query('UPDATE acct SET bal = bal - 10 WHERE id = 1').then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 50));
      expect(done).toBe(false);
      await ok(a, 'COMMIT');
      const r = await waiting;
      expect(r.error).toBeUndefined();
      expect(await rows(a, 'SELECT bal FROM acct')).toEqual([[80n]]);
    }));

  test("Convex's lease takeover: UPDATE waits while FOR SHARE is held, then wins", () =>
    inObject(async (open) => {
      const old = await open();
      const next = await open();
      await ok(old, 'CREATE TABLE leases (id int8 PRIMARY KEY, ts int8 NOT NULL)');
      await ok(old, 'INSERT INTO leases VALUES (1, 10)');
      await ok(old, 'BEGIN');
      expect(await rows(old, 'SELECT 1 FROM leases WHERE id = 1 AND ts = 10 FOR SHARE')).toEqual([[1n]]);
      let taken = false;
      const takeover = next.execute('UPDATE leases SET ts=$1 WHERE id=1 AND ts<$1', [0], [20n]).then((r) => ((taken = true), r));
      await new Promise((r) => setTimeout(r, 50));
      expect(taken).toBe(false);
      await ok(old, 'COMMIT');
      expect((await takeover).results[0].tag).toBe('UPDATE 1');
      await ok(old, 'BEGIN');
      expect(await rows(old, 'SELECT 1 FROM leases WHERE id = 1 AND ts = 10 FOR SHARE')).toEqual([]);
      await ok(old, 'ROLLBACK');
    }));

  test('16 transactions writing the same tables at once all commit (waiters are served in order)', () =>
    inObject(async (open) => {
      const setup = await open();
      await ok(setup, 'CREATE TABLE leases (id int8 PRIMARY KEY, ts int8); CREATE TABLE docs (id int8 PRIMARY KEY); CREATE TABLE idx (id int8 PRIMARY KEY)');
      await ok(setup, 'INSERT INTO leases VALUES (1, 7)');
      const sessions = await Promise.all(Array.from({ length: 16 }, () => open()));
      await Promise.all(sessions.map((s) => ok(s, 'BEGIN')));
      const outcomes = await Promise.all(
        sessions.map(async (s, i) => {
          // One session's calls are sequential (the tunnel dispatcher orders them); sessions overlap.
          const lease = await s.query('SELECT 1 FROM leases WHERE id = 1 AND ts = 7 FOR SHARE');
          const docs = await s.execute('INSERT INTO docs SELECT * FROM UNNEST($1::int8[])', [0], [[BigInt(i * 10), BigInt(i * 10 + 1)]]);
          const idx = await s.execute('INSERT INTO idx SELECT * FROM UNNEST($1::int8[])', [0], [[BigInt(i)]]);
          const commit = await s.query('COMMIT');
          return [lease.results[0]?.rows.length, docs.results[0]?.tag, idx.results[0]?.tag, commit.results[0]?.tag];
        }),
      );
      expect(outcomes).toEqual(Array(16).fill([1, 'INSERT 0 2', 'INSERT 0 1', 'COMMIT']));
      expect(await rows(setup, 'SELECT (SELECT count(*) FROM docs), (SELECT count(*) FROM idx)')).toEqual([[32n, 16n]]);
    }));

  test('lock_timeout gives 55P03, NOWAIT fails at once, a deadlock gives 40P01', () =>
    inObject(async (open) => {
      const a = await open();
      const b = await open();
      await ok(a, 'CREATE TABLE x (id int8); CREATE TABLE y (id int8)');
      await ok(a, 'BEGIN');
      await ok(a, 'INSERT INTO x VALUES (1)');
      await ok(b, "SET lock_timeout = '30ms'");
      const timedOut = await b.query('INSERT INTO x VALUES (2)');
      expect([timedOut.error?.sqlstate, timedOut.error?.message]).toEqual(['55P03', 'canceling statement due to lock timeout']);
      const nowait = await b.query('SELECT * FROM x FOR UPDATE NOWAIT');
      expect(nowait.error?.sqlstate).toBe('55P03');
      await ok(b, "SET lock_timeout = '0'");
      await ok(b, 'BEGIN');
      await ok(b, 'INSERT INTO y VALUES (1)');
      const aWaits = a.query('INSERT INTO y VALUES (2)');
      await new Promise((r) => setTimeout(r, 20));
      const bDeadlocks = await b.query('INSERT INTO x VALUES (3)');
      expect(bDeadlocks.error?.sqlstate).toBe('40P01');
      await ok(b, 'ROLLBACK');
      expect((await aWaits).error).toBeUndefined();
      await ok(a, 'COMMIT');
      expect(await rows(a, 'SELECT (SELECT count(*) FROM x), (SELECT count(*) FROM y)')).toEqual([[1n, 1n]]);
    }));

  test('statement_timeout while waiting gives 57014; a cancel too', () =>
    inObject(async (open) => {
      const a = await open();
      const b = await open();
      await ok(a, 'CREATE TABLE x (id int8)');
      await ok(a, 'BEGIN');
      await ok(a, 'INSERT INTO x VALUES (1)');
      await ok(b, "SET statement_timeout = '30ms'");
      const r = await b.query('DELETE FROM x');
      expect([r.error?.sqlstate, r.error?.message]).toEqual(['57014', 'canceling statement due to statement timeout']);
      await ok(b, 'SET statement_timeout = 0');
      const waiting = b.query('DELETE FROM x');
      await new Promise((r) => setTimeout(r, 20));
      b.cancel();
      expect((await waiting).error?.message).toBe('canceling statement due to user request');
      await ok(a, 'ROLLBACK');
    }));

  test('idle_in_transaction_session_timeout ends the session (FATAL 25P03) and releases its locks', () =>
    inObject(async (open) => {
      const a = await open();
      const b = await open();
      await ok(a, 'CREATE TABLE x (id int8)');
      await ok(a, "SET idle_in_transaction_session_timeout = '30ms'");
      await ok(a, 'BEGIN');
      await ok(a, 'INSERT INTO x VALUES (1)');
      await new Promise((r) => setTimeout(r, 80));
      const r = await a.query('SELECT 1');
      expect([r.error?.severity, r.error?.sqlstate]).toEqual(['FATAL', '25P03']);
      expect((await ok(b, 'INSERT INTO x VALUES (2)')).results[0].tag).toBe('INSERT 0 1');
      expect(await rows(b, 'SELECT id FROM x')).toEqual([[2n]]);
    }));
});

test('a transaction left open by a restart is rolled back when the engine starts', () =>
  inObject(async (open, _instance, state) => {
    const a = await open();
    await ok(a, 'CREATE TABLE t (id int8 PRIMARY KEY, v text)');
    await ok(a, "INSERT INTO t VALUES (1, 'kept')");
    await ok(a, 'BEGIN');
    await ok(a, "UPDATE t SET v = 'lost' WHERE id = 1");
    await ok(a, "INSERT INTO t VALUES (2, 'lost')");
    // A new engine over the same storage is what a restarted Durable Object builds.
    const restarted = new Engine(state.storage);
    const s = await restarted.open({ user: 'u', database: 'd', params: {} });
    expect(await rows(s, 'SELECT id, v FROM t ORDER BY id')).toEqual([[1n, 'kept']]);
  }));
