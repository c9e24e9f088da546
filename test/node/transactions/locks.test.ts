/**
 * Locking reads, waits and their bounds, against PostgreSQL 15 and our stack: FOR SHARE /
 * FOR UPDATE held to transaction end, writers that wait rather than fail, Convex's lease
 * takeover, lock_timeout (55P03), statement_timeout while waiting (57014), deadlocks (40P01),
 * idle_in_transaction_session_timeout (FATAL 25P03, the session's transaction undone).
 */
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import type { Outcome, Session } from './client.ts';
import { pause, track, useTarget } from './fixture.ts';
import { targets } from './targets.ts';

const TABLE = ['CREATE TABLE t (id int8 PRIMARY KEY, v int8)', 'INSERT INTO t VALUES (1, 1), (2, 2)'];
/** Convex's tables for the lease (crates/postgres/src/sql.rs), reduced to what the lease touches. */
const CONVEX = [
  'CREATE TABLE leases (id BIGINT NOT NULL, ts BIGINT NOT NULL, PRIMARY KEY (id))',
  'CREATE TABLE documents (id BYTEA NOT NULL, ts BIGINT NOT NULL, table_id BYTEA NOT NULL, json_value BYTEA NOT NULL, deleted BOOLEAN DEFAULT false, prev_ts BIGINT, PRIMARY KEY (ts, table_id, id))',
  'INSERT INTO leases (id, ts) VALUES (1, 1800000000000000001)',
];
const LEASE_CHECK = 'SELECT 1 FROM leases WHERE id=1 AND ts=$1 FOR SHARE';
const TAKEOVER = 'UPDATE leases SET ts=$1 WHERE id=1 AND ts<$1';
const INSERT_DOC = 'INSERT INTO documents (id, ts, table_id, json_value, deleted, prev_ts) VALUES ($1, $2, $3, $4, $5, $6)';
const OLD_TS = '1800000000000000001';
const NEW_TS = '1800000000000000002';

const tags = (o: Outcome) => o.error ?? o.tags.join(',');

/** Waits for the server to close a session, giving up after `ms` (the caller asserts). */
const closedWithin = (s: Session, ms: number) => Promise.race([s.whenClosed(), pause(ms)]);

for (const target of targets) {
  describe(`locks on ${target.name}`, () => {
    const fx = useTarget(target);

    it("Convex's lease takeover: the new backend's UPDATE waits for the old holder's FOR SHARE, then wins; the old holder's next lease check fails", async () => {
      const { open } = await fx.schema(CONVEX);
      const [old, fresh] = await Promise.all([open(), open()]);
      await old.rows('START TRANSACTION');
      expect(await old.rows(LEASE_CHECK, [OLD_TS])).toEqual([['1']]);
      await old.rows(INSERT_DOC, ['\\x01', OLD_TS, '\\x0a', '\\x7b7d', 'false', null]);
      const takeover = track(fresh.run(TAKEOVER, { params: [NEW_TS] }));
      await pause();
      expect(takeover.settled(), 'UPDATE leases finished while the old holder held FOR SHARE').toBe(false);
      // The old holder's transaction is still whole: it writes and commits under its lease.
      await old.rows(INSERT_DOC, ['\\x02', OLD_TS, '\\x0a', '\\x7b7d', 'false', null]);
      await old.rows('COMMIT');
      expect(tags(await takeover.promise)).toBe('UPDATE 1');
      expect(await fresh.rows('SELECT count(*) FROM documents')).toEqual([['2']]);
      // The old holder's next write transaction checks its lease and finds it lost.
      await old.rows('START TRANSACTION');
      expect(await old.rows(LEASE_CHECK, [OLD_TS])).toEqual([]);
      await old.rows('ROLLBACK');
      // A takeover by an older timestamp changes nothing.
      expect(tags(await old.run(TAKEOVER, { params: [OLD_TS] }))).toBe('UPDATE 0');
      expect(await fresh.rows('SELECT ts FROM leases')).toEqual([[NEW_TS]]);
    });

    it('FOR SHARE by two transactions at once: neither waits; plain reads never wait', async () => {
      const { open } = await fx.schema(CONVEX);
      const [a, b, c] = await Promise.all([open(), open(), open()]);
      await a.rows('START TRANSACTION');
      expect(await a.rows(LEASE_CHECK, [OLD_TS])).toEqual([['1']]);
      await b.rows('START TRANSACTION');
      expect(await b.rows(LEASE_CHECK, [OLD_TS])).toEqual([['1']]);
      expect(await c.rows('SELECT ts FROM leases WHERE id = 1')).toEqual([[OLD_TS]]);
      await a.rows('COMMIT');
      await b.rows('COMMIT');
      expect(tags(await c.run(TAKEOVER, { params: [NEW_TS] }))).toBe('UPDATE 1');
    });

    it('FOR UPDATE makes another FOR UPDATE wait, which then reads the committed value: no lost update', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b, c] = await Promise.all([open(), open(), open()]);
      await a.rows('BEGIN');
      expect(await a.rows('SELECT v FROM t WHERE id = 1 FOR UPDATE')).toEqual([['1']]);
      await b.rows('BEGIN');
      const locked = track(b.run('SELECT v FROM t WHERE id = 1 FOR UPDATE'));
      await pause();
      expect(locked.settled(), 'a second FOR UPDATE finished while the first was held').toBe(false);
      // A plain read does not wait, and sees the committed value.
      expect(await c.rows('SELECT v FROM t WHERE id = 1')).toEqual([['1']]);
      await a.rows('UPDATE t SET v = 10 WHERE id = 1');
      await a.rows('COMMIT');
      expect((await locked.promise).rows).toEqual([['10']]);
      await b.rows('UPDATE t SET v = 11 WHERE id = 1');
      await b.rows('COMMIT');
      expect(await c.rows('SELECT v FROM t WHERE id = 1')).toEqual([['11']]);
    });

    it('an UPDATE of a row another transaction updated waits, then applies on top of the committed value', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows('UPDATE t SET v = v + 1 WHERE id = 1');
      const update = track(b.run('UPDATE t SET v = v + 10 WHERE id = 1'));
      await pause();
      expect(update.settled(), 'the second UPDATE finished while the first was uncommitted').toBe(false);
      await a.rows('COMMIT');
      expect(tags(await update.promise)).toBe('UPDATE 1');
      expect(await a.rows('SELECT v FROM t WHERE id = 1')).toEqual([['12']]);
    });

    it('lock_timeout: a wait longer than it fails with 55P03; in a transaction, the transaction fails', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows('UPDATE t SET v = 5 WHERE id = 1');
      await b.rows("SET lock_timeout = '200ms'");
      expect(await b.run('UPDATE t SET v = 6 WHERE id = 1')).toMatchObject({ error: '55P03', status: 'I' });
      await b.rows('BEGIN');
      expect(await b.run('SELECT v FROM t WHERE id = 1 FOR SHARE')).toMatchObject({ error: '55P03', status: 'E' });
      expect((await b.run('ROLLBACK')).tags).toEqual(['ROLLBACK']);
      await a.rows('ROLLBACK');
      expect(tags(await b.run('UPDATE t SET v = 6 WHERE id = 1'))).toBe('UPDATE 1');
      expect(await a.rows('SELECT v FROM t ORDER BY id')).toEqual([['6'], ['2']]);
    });

    it('statement_timeout: a statement waiting on a lock is cancelled with 57014', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      expect(await a.rows('SELECT v FROM t WHERE id = 2 FOR UPDATE')).toEqual([['2']]);
      await b.rows("SET statement_timeout = '200ms'");
      expect(await b.run('DELETE FROM t WHERE id = 2')).toMatchObject({ error: '57014', status: 'I' });
      await b.rows('START TRANSACTION');
      expect(await b.run('UPDATE t SET v = 0 WHERE id = 2')).toMatchObject({ error: '57014', status: 'E' });
      await b.rows('ROLLBACK');
      await b.rows('SET statement_timeout = 0');
      await a.rows('COMMIT');
      expect(tags(await b.run('DELETE FROM t WHERE id = 2'))).toBe('DELETE 1');
    });

    it("a CancelRequest cancels a statement waiting for a lock with 57014; the lock holder's transaction is untouched", async () => {
      const { name, open } = await fx.schema(TABLE);
      const a = await open();
      await a.rows('BEGIN');
      await a.rows('UPDATE t SET v = 50 WHERE id = 1');
      // porsager sends a real CancelRequest on a second socket (pg has no API for it).
      const sql = postgres(fx.server.url, { max: 1, fetch_types: false, onnotice: () => {} });
      try {
        const waiting = sql.unsafe(`UPDATE ${name}.t SET v = 60 WHERE id = 1`);
        const outcome = waiting.then(
          () => 'finished',
          (e: { code?: string }) => e.code ?? 'no SQLSTATE',
        );
        await pause();
        waiting.cancel();
        expect(await outcome).toBe('57014');
        expect(await a.rows('SELECT v FROM t WHERE id = 1')).toEqual([['50']]);
        await a.rows('COMMIT');
        expect(await sql.unsafe(`SELECT v::text AS v FROM ${name}.t WHERE id = 1`)).toEqual([{ v: '50' }]);
      } finally {
        await sql.end();
      }
    });

    it('a client that drops while its statement waits for a lock: its transaction rolls back, its locks go', async () => {
      const { open } = await fx.schema([...TABLE, 'CREATE TABLE u (id int8 PRIMARY KEY, v text)', "INSERT INTO u VALUES (1, 'u')"]);
      const [a, b, c] = await Promise.all([open(), open(), open()]);
      await a.rows('BEGIN');
      await a.rows('UPDATE t SET v = 70 WHERE id = 1');
      await b.rows('BEGIN');
      await b.rows("UPDATE u SET v = 'B' WHERE id = 1");
      const waiting = b.run('UPDATE t SET v = 80 WHERE id = 1').catch(() => undefined);
      await pause();
      b.drop();
      await waiting;
      await a.rows('COMMIT');
      // PostgreSQL notices the drop once B's wait ends; either way C gets B's row lock next.
      expect(tags(await c.run("UPDATE u SET v = v || 'C' WHERE id = 1"))).toBe('UPDATE 1');
      expect(await c.rows('SELECT (SELECT v FROM t WHERE id = 1)::text, (SELECT v FROM u WHERE id = 1)')).toEqual([['70', 'uC']]);
    });

    it('a deadlock fails exactly one side with 40P01; the other proceeds and commits', async () => {
      const { open } = await fx.schema(['CREATE TABLE ta (id int8 PRIMARY KEY, v int8)', 'CREATE TABLE tb (id int8 PRIMARY KEY, v int8)', 'INSERT INTO ta VALUES (1, 0)', 'INSERT INTO tb VALUES (1, 0)']);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows('UPDATE ta SET v = 1');
      await b.rows('BEGIN');
      await b.rows('UPDATE tb SET v = 2');
      const aWaits = a.run('UPDATE tb SET v = 1');
      await pause();
      const bWaits = b.run('UPDATE ta SET v = 2');
      // Whichever settles first: a failure is the victim, which then rolls back; a success
      // means the victim's locks are already gone.
      const first = await Promise.race([aWaits.then((o) => ['a', o] as const), bWaits.then((o) => ['b', o] as const)]);
      if (first[1].error) await (first[0] === 'a' ? a : b).run('ROLLBACK');
      const outcomes = { a: await aWaits, b: await bWaits };
      const victims = Object.entries(outcomes).filter(([, o]) => o.error);
      expect(victims.map(([, o]) => o.error)).toEqual(['40P01']);
      const [victim, survivor] = victims[0]![0] === 'a' ? [a, b] : [b, a];
      const winner = victims[0]![0] === 'a' ? 'b' : 'a';
      expect(tags(outcomes[winner])).toBe('UPDATE 1');
      if (victim.status === 'E') await victim.rows('ROLLBACK');
      await survivor.rows('COMMIT');
      const v = winner === 'a' ? '1' : '2';
      expect(await a.rows('SELECT (SELECT v FROM ta), (SELECT v FROM tb)')).toEqual([[v, v]]);
    });

    it('a transaction failed by an error holds no locks, even before its ROLLBACK', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows('UPDATE t SET v = 100 WHERE id = 1');
      expect(await a.run('SELECT 1 / 0')).toMatchObject({ error: '22012', status: 'E' });
      // Bounded, so a server that keeps the lock fails this with 55P03 instead of hanging.
      await b.rows("SET lock_timeout = '5s'");
      expect(tags(await b.run('UPDATE t SET v = 7 WHERE id = 1'))).toBe('UPDATE 1');
      await a.rows('ROLLBACK');
      expect(await a.rows('SELECT v FROM t WHERE id = 1')).toEqual([['7']]);
    });

    it('idle_in_transaction_session_timeout ends the idle session with FATAL 25P03, undoes its transaction and frees its locks', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows("SET idle_in_transaction_session_timeout = '500ms'");
      await a.rows('BEGIN');
      await a.rows("INSERT INTO t VALUES (3, 3)");
      await a.rows('UPDATE t SET v = 100 WHERE id = 1');
      // Waits for A's row lock until A's session is ended (bounded, to fail clearly otherwise).
      await b.rows("SET lock_timeout = '5s'");
      expect(tags(await b.run('UPDATE t SET v = v + 10 WHERE id = 1'))).toBe('UPDATE 1');
      expect(await b.rows('SELECT id, v FROM t ORDER BY id')).toEqual([['1', '11'], ['2', '2']]);
      await closedWithin(a, 5_000);
      expect(a.closed, 'the idle session was not closed: PostgreSQL sends FATAL 25P03 and closes the connection at the timeout, without waiting for the client').toBe(true);
      expect(a.fatal).toBe('25P03');
    }, 15_000);

    it('idle_in_transaction_session_timeout does not touch an idle session outside a transaction', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows("SET idle_in_transaction_session_timeout = '200ms'");
      await b.rows("SET idle_in_transaction_session_timeout = '200ms'");
      await b.rows('BEGIN');
      await closedWithin(b, 5_000);
      expect(b.closed, 'the idle session was not closed: PostgreSQL sends FATAL 25P03 and closes the connection at the timeout, without waiting for the client').toBe(true);
      expect(b.fatal).toBe('25P03');
      expect(a.closed).toBe(false);
      expect(await a.rows('SELECT count(*) FROM t')).toEqual([['2']]);
    }, 15_000);
  });
}
