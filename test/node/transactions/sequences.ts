/**
 * @module Single-session transaction sequences as data: each step is one query string and the
 * exact outcome PostgreSQL 15 gives (ReadyForQuery status, command tags with row counts, rows,
 * error SQLSTATE, notice SQLSTATEs). Every sequence starts on a fresh connection with table
 * `t (id int8 PRIMARY KEY, v text)` holding (1,'a'), (2,'b'), (3,'c').
 */
import type { Outcome, TxStatus } from './client.ts';

export interface Step {
  sql: string;
  params?: unknown[];
  expect: Outcome;
}

export interface Sequence {
  name: string;
  /** Several statements in one query string: the simple protocol only. */
  simpleOnly?: boolean;
  steps: Step[];
}

const ok = (status: TxStatus, tags: string | string[], rows: (string | null)[][] = []): Outcome => ({
  status,
  tags: Array.isArray(tags) ? tags : [tags],
  rows,
  notices: [],
});
const warns = (status: TxStatus, tag: string, notice: string): Outcome => ({ status, tags: [tag], rows: [], notices: [notice] });
const fails = (status: TxStatus, error: string): Outcome => ({ status, tags: [], rows: [], error, notices: [] });
const s = (sql: string, expect: Outcome, params?: unknown[]): Step => ({ sql, expect, ...(params && { params }) });

const ALL = 'SELECT id, v FROM t ORDER BY id';
const seeded = [['1', 'a'], ['2', 'b'], ['3', 'c']];

export const sequences: Sequence[] = [
  {
    name: 'BEGIN … COMMIT: own writes visible inside, exact row counts, all kept',
    steps: [
      s('BEGIN', ok('T', 'BEGIN')),
      s("INSERT INTO t VALUES (4, 'd'), (5, 'e')", ok('T', 'INSERT 2')),
      s('SELECT count(*) FROM t', ok('T', 'SELECT 1', [['5']])),
      s("UPDATE t SET v = v || '!' WHERE id >= 3", ok('T', 'UPDATE 3')),
      s('DELETE FROM t WHERE id = 1', ok('T', 'DELETE 1')),
      s('DELETE FROM t WHERE id = 1', ok('T', 'DELETE 0')),
      s(ALL, ok('T', 'SELECT 4', [['2', 'b'], ['3', 'c!'], ['4', 'd!'], ['5', 'e!']])),
      s('COMMIT', ok('I', 'COMMIT')),
      s(ALL, ok('I', 'SELECT 4', [['2', 'b'], ['3', 'c!'], ['4', 'd!'], ['5', 'e!']])),
    ],
  },
  {
    name: 'START TRANSACTION … ROLLBACK: nothing kept',
    steps: [
      s('START TRANSACTION', ok('T', 'START')),
      s("INSERT INTO t VALUES (4, 'd')", ok('T', 'INSERT 1')),
      s("UPDATE t SET v = 'z'", ok('T', 'UPDATE 4')),
      s('DELETE FROM t WHERE id < 3', ok('T', 'DELETE 2')),
      s(ALL, ok('T', 'SELECT 2', [['3', 'z'], ['4', 'z']])),
      s('ROLLBACK', ok('I', 'ROLLBACK')),
      s(ALL, ok('I', 'SELECT 3', seeded)),
    ],
  },
  {
    name: 'a key deleted inside the transaction can be inserted again; an upsert sees own rows',
    steps: [
      s('BEGIN', ok('T', 'BEGIN')),
      s('DELETE FROM t WHERE id = 2', ok('T', 'DELETE 1')),
      s("INSERT INTO t VALUES (2, 'B')", ok('T', 'INSERT 1')),
      s("INSERT INTO t VALUES (6, 'f')", ok('T', 'INSERT 1')),
      s("INSERT INTO t VALUES (6, 'F'), (7, 'g') ON CONFLICT (id) DO UPDATE SET v = excluded.v", ok('T', 'INSERT 2')),
      s(ALL, ok('T', 'SELECT 5', [['1', 'a'], ['2', 'B'], ['3', 'c'], ['6', 'F'], ['7', 'g']])),
      s('END', ok('I', 'COMMIT')),
      s(ALL, ok('I', 'SELECT 5', [['1', 'a'], ['2', 'B'], ['3', 'c'], ['6', 'F'], ['7', 'g']])),
    ],
  },
  {
    name: 'ABORT rolls back; END and ABORT with none open warn 25P01',
    steps: [
      s('BEGIN', ok('T', 'BEGIN')),
      s('DELETE FROM t', ok('T', 'DELETE 3')),
      s('ABORT', ok('I', 'ROLLBACK')),
      s('SELECT count(*) FROM t', ok('I', 'SELECT 1', [['3']])),
      s('END', warns('I', 'COMMIT', '25P01')),
      s('ABORT', warns('I', 'ROLLBACK', '25P01')),
    ],
  },
  {
    name: 'COMMIT, ROLLBACK and SET TRANSACTION with none open warn 25P01; BEGIN inside one warns 25001',
    steps: [
      s('COMMIT', warns('I', 'COMMIT', '25P01')),
      s('ROLLBACK', warns('I', 'ROLLBACK', '25P01')),
      s('SET TRANSACTION READ ONLY', warns('I', 'SET', '25P01')),
      s('SHOW transaction_read_only', ok('I', 'SHOW', [['off']])),
      s('BEGIN', ok('T', 'BEGIN')),
      s('BEGIN', warns('T', 'BEGIN', '25001')),
      s('COMMIT', ok('I', 'COMMIT')),
    ],
  },
  {
    name: 'a failing statement fails the transaction: 25P02 until ROLLBACK, earlier writes undone',
    steps: [
      s('BEGIN', ok('T', 'BEGIN')),
      s("INSERT INTO t VALUES (4, 'd')", ok('T', 'INSERT 1')),
      s("INSERT INTO t VALUES (1, 'dup')", fails('E', '23505')),
      s('SELECT 1', fails('E', '25P02')),
      s("INSERT INTO t VALUES (5, 'e')", fails('E', '25P02')),
      s('ROLLBACK', ok('I', 'ROLLBACK')),
      s(ALL, ok('I', 'SELECT 3', seeded)),
    ],
  },
  {
    name: 'COMMIT of a failed transaction reports ROLLBACK and keeps nothing',
    steps: [
      s('START TRANSACTION', ok('T', 'START')),
      s("UPDATE t SET v = 'x' WHERE id = 1", ok('T', 'UPDATE 1')),
      s('SELECT 1 / 0', fails('E', '22012')),
      s('COMMIT', ok('I', 'ROLLBACK')),
      s(ALL, ok('I', 'SELECT 3', seeded)),
      s('SELECT 1', ok('I', 'SELECT 1', [['1']])),
    ],
  },
  {
    name: 'a failed statement outside a transaction leaves the session idle',
    steps: [
      s("INSERT INTO t VALUES (1, 'dup')", fails('I', '23505')),
      s('SELECT count(*) FROM t', ok('I', 'SELECT 1', [['3']])),
    ],
  },
  {
    name: 'START TRANSACTION ISOLATION LEVEL READ COMMITTED; SET TRANSACTION inside',
    steps: [
      s('SHOW transaction_isolation', ok('I', 'SHOW', [['read committed']])),
      s('START TRANSACTION ISOLATION LEVEL READ COMMITTED', ok('T', 'START')),
      s('SHOW transaction_isolation', ok('T', 'SHOW', [['read committed']])),
      s('SET TRANSACTION ISOLATION LEVEL READ COMMITTED', ok('T', 'SET')),
      s("INSERT INTO t VALUES (4, 'd')", ok('T', 'INSERT 1')),
      s('COMMIT', ok('I', 'COMMIT')),
      s('SELECT count(*) FROM t', ok('I', 'SELECT 1', [['4']])),
    ],
  },
  {
    name: 'START TRANSACTION READ ONLY: reads work, writes fail with 25006',
    steps: [
      s('START TRANSACTION READ ONLY', ok('T', 'START')),
      s('SHOW transaction_read_only', ok('T', 'SHOW', [['on']])),
      s('SELECT count(*) FROM t', ok('T', 'SELECT 1', [['3']])),
      s("INSERT INTO t VALUES (4, 'd')", fails('E', '25006')),
      s('ROLLBACK', ok('I', 'ROLLBACK')),
      s('SHOW transaction_read_only', ok('I', 'SHOW', [['off']])),
      s('START TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY', ok('T', 'START')),
      s('DELETE FROM t', fails('E', '25006')),
      s('COMMIT', ok('I', 'ROLLBACK')),
      s('SELECT count(*) FROM t', ok('I', 'SELECT 1', [['3']])),
    ],
  },
  {
    name: 'SET TRANSACTION READ ONLY after a write: later writes fail with 25006, the whole transaction is lost',
    steps: [
      s('BEGIN', ok('T', 'BEGIN')),
      s("UPDATE t SET v = 'x' WHERE id = 1", ok('T', 'UPDATE 1')),
      s('SET TRANSACTION READ ONLY', ok('T', 'SET')),
      s("UPDATE t SET v = 'y' WHERE id = 2", fails('E', '25006')),
      s('COMMIT', ok('I', 'ROLLBACK')),
      s(ALL, ok('I', 'SELECT 3', seeded)),
    ],
  },
  {
    name: 'parameters inside a transaction',
    steps: [
      s('BEGIN', ok('T', 'BEGIN')),
      s('INSERT INTO t VALUES ($1, $2)', ok('T', 'INSERT 1'), ['9223372036854775807', 'max']),
      s('SELECT v FROM t WHERE id = $1', ok('T', 'SELECT 1', [['max']]), ['9223372036854775807']),
      s('UPDATE t SET v = $1 WHERE id < $2', ok('T', 'UPDATE 3'), ['p', '100']),
      s('COMMIT', ok('I', 'COMMIT')),
      s(ALL, ok('I', 'SELECT 4', [['1', 'p'], ['2', 'p'], ['3', 'p'], ['9223372036854775807', 'max']])),
    ],
  },
  {
    name: 'one query string is one implicit transaction: a late failure undoes the earlier statements',
    simpleOnly: true,
    steps: [
      s("INSERT INTO t VALUES (4, 'd'); UPDATE t SET v = 'x'; INSERT INTO t VALUES (1, 'dup')", fails('I', '23505')),
      s(ALL, ok('I', 'SELECT 3', seeded)),
      s("INSERT INTO t VALUES (4, 'd'); DELETE FROM t WHERE id = 1; SELECT count(*) FROM t", ok('I', ['INSERT 1', 'DELETE 1', 'SELECT 1'], [['3']])),
      s(ALL, ok('I', 'SELECT 3', [['2', 'b'], ['3', 'c'], ['4', 'd']])),
    ],
  },
  {
    name: 'COMMIT inside a query string commits what precedes it; the rest is its own implicit transaction',
    simpleOnly: true,
    steps: [
      s("BEGIN; INSERT INTO t VALUES (10, 'a'); COMMIT; INSERT INTO t VALUES (11, 'b'); SELECT 1 / 0", fails('I', '22012')),
      s('SELECT id FROM t WHERE id >= 10 ORDER BY id', ok('I', 'SELECT 1', [['10']])),
      // COMMIT with no BEGIN still ends the implicit transaction, with the 25P01 warning.
      s("INSERT INTO t VALUES (12, 'c'); COMMIT; INSERT INTO t VALUES (13, 'd'); SELECT 1 / 0", { ...fails('I', '22012'), notices: ['25P01'] }),
      s('SELECT id FROM t WHERE id >= 10 ORDER BY id', ok('I', 'SELECT 2', [['10'], ['12']])),
      // …and ROLLBACK with no BEGIN undoes what precedes it in the string.
      s("INSERT INTO t VALUES (14, 'e'); ROLLBACK; INSERT INTO t VALUES (15, 'f')", { ...ok('I', ['INSERT 1', 'ROLLBACK', 'INSERT 1']), notices: ['25P01'] }),
      s('SELECT id FROM t WHERE id >= 10 ORDER BY id', ok('I', 'SELECT 3', [['10'], ['12'], ['15']])),
    ],
  },
  {
    name: 'BEGIN inside a query string takes the statements before it into the transaction block',
    simpleOnly: true,
    steps: [
      s("INSERT INTO t VALUES (20, 'a'); BEGIN; INSERT INTO t VALUES (21, 'b'); SELECT 1 / 0", fails('E', '22012')),
      s('SELECT 1', fails('E', '25P02')),
      s('ROLLBACK', ok('I', 'ROLLBACK')),
      s('SELECT count(*) FROM t WHERE id >= 20', ok('I', 'SELECT 1', [['0']])),
    ],
  },
  {
    name: 'a query string may open a transaction that later queries continue and end',
    simpleOnly: true,
    steps: [
      s("BEGIN; INSERT INTO t VALUES (30, 'a')", ok('T', ['BEGIN', 'INSERT 1'])),
      s("INSERT INTO t VALUES (31, 'b'); SELECT count(*) FROM t", ok('T', ['INSERT 1', 'SELECT 1'], [['5']])),
      s("INSERT INTO t VALUES (32, 'c'); INSERT INTO t VALUES (30, 'dup')", fails('E', '23505')),
      s('ROLLBACK', ok('I', 'ROLLBACK')),
      s("BEGIN; INSERT INTO t VALUES (50, 'a'); ROLLBACK; INSERT INTO t VALUES (51, 'b')", ok('I', ['BEGIN', 'INSERT 1', 'ROLLBACK', 'INSERT 1'])),
      s("START TRANSACTION; DELETE FROM t WHERE id = 1; COMMIT", ok('I', ['START', 'DELETE 1', 'COMMIT'])),
      s(ALL, ok('I', 'SELECT 3', [['2', 'b'], ['3', 'c'], ['51', 'b']])),
    ],
  },
];
