/**
 * READ COMMITTED across sessions, against PostgreSQL 15 and our stack: no session ever sees
 * another's uncommitted rows; committed rows are visible to every statement that starts after
 * the COMMIT (also inside an open transaction); rolled-back and abandoned (dropped connection)
 * transactions leave nothing behind.
 */
import { describe, expect, it } from 'vitest';
import { pause, track, useTarget } from './fixture.ts';
import { targets } from './targets.ts';

const TABLE = ['CREATE TABLE t (id int8 PRIMARY KEY, v text)', "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')"];
const ALL = 'SELECT id, v FROM t ORDER BY id';
const seeded = [['1', 'a'], ['2', 'b'], ['3', 'c']];

for (const target of targets) {
  describe(`isolation on ${target.name}`, () => {
    const fx = useTarget(target);

    it('uncommitted inserts, updates and deletes are invisible to others until COMMIT', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows("INSERT INTO t VALUES (4, 'd')");
      await a.rows("UPDATE t SET v = 'A' WHERE id = 1");
      await a.rows('DELETE FROM t WHERE id = 2');
      expect(await a.rows(ALL)).toEqual([['1', 'A'], ['3', 'c'], ['4', 'd']]);
      expect(await b.rows(ALL)).toEqual(seeded);
      expect(await b.rows('SELECT count(*) FROM t')).toEqual([['3']]);
      expect(await b.rows('SELECT v FROM t WHERE id = 4')).toEqual([]);
      expect(await b.rows('SELECT v FROM t WHERE id = 2')).toEqual([['b']]);
      await a.rows('COMMIT');
      expect(await b.rows(ALL)).toEqual([['1', 'A'], ['3', 'c'], ['4', 'd']]);
    });

    it('a rolled-back transaction leaves nothing, and its keys are free again', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('START TRANSACTION');
      await a.rows("INSERT INTO t VALUES (4, 'd'), (5, 'e')");
      await a.rows('DELETE FROM t WHERE id = 3');
      await a.rows('ROLLBACK');
      expect(await b.rows(ALL)).toEqual(seeded);
      expect((await b.run("INSERT INTO t VALUES (4, 'B')")).tags).toEqual(['INSERT 1']);
      expect(await a.rows(ALL)).toEqual([...seeded, ['4', 'B']]);
    });

    it('a failed transaction shows nothing to others, before and after its ROLLBACK', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows("INSERT INTO t VALUES (4, 'd')");
      expect((await a.run("INSERT INTO t VALUES (1, 'dup')")).error).toBe('23505');
      expect(await b.rows(ALL)).toEqual(seeded);
      await a.rows('ROLLBACK');
      expect(await b.rows(ALL)).toEqual(seeded);
    });

    it('each statement of a READ COMMITTED transaction sees what was committed before it started', async () => {
      const { open } = await fx.schema(TABLE);
      const [reader, writer] = await Promise.all([open(), open()]);
      await reader.rows('BEGIN');
      expect(await reader.rows('SELECT count(*) FROM t')).toEqual([['3']]);
      await writer.rows('BEGIN');
      await writer.rows("INSERT INTO t VALUES (4, 'd')");
      expect(await reader.rows('SELECT count(*) FROM t')).toEqual([['3']]);
      await writer.rows('COMMIT');
      expect(await reader.rows('SELECT count(*) FROM t')).toEqual([['4']]);
      await writer.rows("INSERT INTO t VALUES (5, 'e')");
      expect(await reader.rows('SELECT max(id) FROM t')).toEqual([['5']]);
      await reader.rows('COMMIT');
    });

    it('two writers of different tables: neither sees the other\'s uncommitted rows, both see each other after COMMIT', async () => {
      const { open } = await fx.schema([...TABLE, 'CREATE TABLE u (id int8 PRIMARY KEY)']);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows("INSERT INTO t VALUES (4, 'd')");
      await b.rows('BEGIN');
      await b.rows('INSERT INTO u VALUES (1)');
      expect(await b.rows('SELECT count(*) FROM t')).toEqual([['3']]);
      expect(await a.rows('SELECT count(*) FROM u')).toEqual([['0']]);
      expect(await b.rows('SELECT id FROM u')).toEqual([['1']]);
      await b.rows('COMMIT');
      expect(await a.rows('SELECT id FROM u')).toEqual([['1']]);
      await a.rows('COMMIT');
      expect(await b.rows('SELECT count(*) FROM t')).toEqual([['4']]);
    });

    it('two writers of one table: the second never sees the first\'s uncommitted rows; after both COMMIT both writes are there', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows("INSERT INTO t VALUES (4, 'd')");
      const events: string[] = [];
      // PostgreSQL lets B insert another key at once; a server may also make B wait for A.
      const second = track(
        (async () => {
          await b.rows('BEGIN');
          await b.rows("INSERT INTO t VALUES (5, 'e')");
          events.push('B reads');
          const seen = await b.rows('SELECT id FROM t ORDER BY id');
          events.push('B commits');
          await b.rows('COMMIT');
          return seen;
        })(),
      );
      await pause();
      const bCommitSent = events.includes('B commits');
      const mine = (await a.rows('SELECT id FROM t ORDER BY id')).map(([id]) => id);
      expect(mine).toContain('4');
      if (!bCommitSent) expect(mine).not.toContain('5');
      events.push('A commits');
      await a.rows('COMMIT');
      const seen = (await second.promise).map(([id]) => id);
      expect(seen).toContain('5');
      // A read sent before A's COMMIT must not contain A's row.
      if (events.indexOf('B reads') < events.indexOf('A commits')) expect(seen).not.toContain('4');
      expect(await a.rows('SELECT id FROM t ORDER BY id')).toEqual([['1'], ['2'], ['3'], ['4'], ['5']]);
    });

    for (const end of ['COMMIT', 'ROLLBACK'] as const) {
      it(`an insert of a key another open transaction inserted waits for it: ${end === 'COMMIT' ? '23505 after its COMMIT' : 'success after its ROLLBACK'}`, async () => {
        const { open } = await fx.schema(TABLE);
        const [a, b] = await Promise.all([open(), open()]);
        await a.rows('BEGIN');
        await a.rows("INSERT INTO t VALUES (4, 'a')");
        const insert = track(b.run("INSERT INTO t VALUES (4, 'b')"));
        await pause();
        expect(insert.settled(), 'the second insert of key 4 finished while the first was uncommitted').toBe(false);
        await a.rows(end);
        const got = await insert.promise;
        if (end === 'COMMIT') expect(got.error).toBe('23505');
        else expect(got.tags).toEqual(['INSERT 1']);
        expect(await a.rows('SELECT v FROM t WHERE id = 4')).toEqual([[end === 'COMMIT' ? 'a' : 'b']]);
      });
    }

    it('a dropped client connection rolls its transaction back and releases what it held', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows("INSERT INTO t VALUES (4, 'd')");
      await a.rows("UPDATE t SET v = 'A' WHERE id = 1");
      expect(await a.rows('SELECT v FROM t WHERE id = 1 FOR UPDATE')).toEqual([['A']]);
      a.drop();
      // Both wait, if at all, only until the server has noticed the drop.
      expect((await b.run("INSERT INTO t VALUES (4, 'B')")).tags).toEqual(['INSERT 1']);
      expect((await b.run("UPDATE t SET v = 'b1' WHERE id = 1 AND v = 'a'")).tags).toEqual(['UPDATE 1']);
      expect(await b.rows(ALL)).toEqual([['1', 'b1'], ['2', 'b'], ['3', 'c'], ['4', 'B']]);
    });

    it('a connection dropped in a failed transaction leaves nothing behind', async () => {
      const { open } = await fx.schema(TABLE);
      const [a, b] = await Promise.all([open(), open()]);
      await a.rows('BEGIN');
      await a.rows('DELETE FROM t WHERE id = 3');
      expect((await a.run('SELECT 1 / 0')).error).toBe('22012');
      a.drop();
      expect((await b.run('DELETE FROM t WHERE id = 3')).tags).toEqual(['DELETE 1']);
      expect(await b.rows('SELECT count(*) FROM t')).toEqual([['2']]);
    });
  });
}
