/**
 * Differential: each PgError constructor against the error PostgreSQL 15 raises for the same
 * condition. The statement runs on a fresh PostgreSQL (simple protocol, inside a transaction
 * rolled back afterwards); SQLSTATE, severity, message, and any detail or hint we set must
 * agree.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PgError } from '../../../tunnel/types.ts';
import * as E from '../../../worker/engine/errors.ts';
import { startPostgres, type Reference } from './pg-server.ts';

let pg: Reference;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

const T = 'CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL, n int CHECK (n > 0), vc varchar(3));';

/**
 * [name, what we build, statements whose last one fails in PostgreSQL]; `-- then…` starts a
 * separate query.
 */
const CASES: [string, PgError, string][] = [
  ['syntaxErrorAt token', E.syntaxErrorAt('SELEC', 1), 'SELEC 1'],
  ['syntaxErrorAt end', E.syntaxErrorAt(undefined, 14), 'SELECT 1 FROM'],
  ['undefinedTable', E.undefinedTable('nope'), 'SELECT * FROM nope'],
  ['undefinedColumn', E.undefinedColumn('nope'), `${T} SELECT nope FROM t`],
  ['undefinedColumn of relation', E.undefinedColumn('nope', 't'), `${T} INSERT INTO t (nope) VALUES (1)`],
  ['ambiguousColumn', E.ambiguousColumn('id'), `${T} SELECT id FROM t a, t b`],
  ['undefinedFunction', E.undefinedFunction('nofn(integer)'), 'SELECT nofn(1)'],
  ['undefinedOperator', E.undefinedOperator('integer', '+', 'text'), "SELECT 1 + 'a'::text"],
  ['duplicateTable', E.duplicateTable('t'), `${T} CREATE TABLE t (x int)`],
  ['duplicateSchema', E.duplicateSchema('public'), 'CREATE SCHEMA public'],
  ['undefinedSchema', E.undefinedSchema('nos'), 'CREATE TABLE nos.t (x int)'],
  ['duplicateColumn', E.duplicateColumn('a'), 'CREATE TABLE d (a int, a int)'],
  ['invalidTableDefinition', E.invalidTableDefinition('multiple primary keys for table "m" are not allowed'), 'CREATE TABLE m (a int PRIMARY KEY, b int PRIMARY KEY)'],
  ['uniqueViolation', E.uniqueViolation('t_pkey', 'Key (id)=(1) already exists.'), `${T} INSERT INTO t VALUES (1, 'a'); INSERT INTO t VALUES (1, 'b')`],
  ['notNullViolation', E.notNullViolation('v', 't', 'Failing row contains (1, null, null, null).'), `${T} INSERT INTO t (id) VALUES (1)`],
  ['checkViolation', E.checkViolation('t', 't_n_check', 'Failing row contains (1, a, 0, null).'), `${T} INSERT INTO t VALUES (1, 'a', 0)`],
  ['foreignKeyViolation', E.foreignKeyViolation('c', 'c_p_fkey', 'Key (p)=(5) is not present in table "t".'), `${T} CREATE TABLE c (p int REFERENCES t); INSERT INTO c VALUES (5)`],
  ['stringDataRightTruncation', E.stringDataRightTruncation('character varying(3)'), `${T} INSERT INTO t VALUES (1, 'a', 1, 'abcd')`],
  ['divisionByZero', E.divisionByZero(), 'SELECT 1/0'],
  ['numericOutOfRange int4', E.numericOutOfRange('integer'), 'SELECT 2147483647 + 1'],
  ['numericOutOfRange int8', E.numericOutOfRange('bigint'), 'SELECT 9223372036854775807::int8 + 1'],
  ['valueOutOfRange', E.valueOutOfRange('integer', '99999999999'), "SELECT '99999999999'::int4"],
  ['invalidTextRepresentation', E.invalidTextRepresentation('integer', 'abc'), "SELECT 'abc'::int4"],
  ['invalidByteSequence', E.invalidByteSequence('0x00'), "SELECT convert_from('\\x00'::bytea, 'UTF8')"],
  ['invalidDatetimeFormat', E.invalidDatetimeFormat('date', 'x'), "SELECT 'x'::date"],
  ['datetimeFieldOverflow', E.datetimeFieldOverflow('2024-02-30'), "SELECT '2024-02-30'::date"],
  ['cannotCoerce', E.cannotCoerce('integer', 'bytea'), 'SELECT 1::bytea'],
  ['datatypeMismatch', E.datatypeMismatch('argument of WHERE must be type boolean, not type integer'), 'SELECT 1 WHERE 1'],
  ['groupingError', E.groupingError('column "t.v" must appear in the GROUP BY clause or be used in an aggregate function'), `${T} SELECT v, count(*) FROM t`],
  ['undefinedType', E.undefinedType('nosuchtype'), 'SELECT 1::nosuchtype'],
  ['undefinedObject', E.undefinedObject('constraint "nope" for table "t" does not exist'), `${T} INSERT INTO t VALUES (1, 'a') ON CONFLICT ON CONSTRAINT nope DO NOTHING`],
  ['unrecognizedParameter', E.unrecognizedParameter('nope'), 'SHOW nope'],
  ['undefinedParameter', E.undefinedParameter(1), 'CREATE TABLE p (x int DEFAULT $1)'],
  ['invalidColumnReference', E.invalidColumnReference('ORDER BY position 2 is not in select list'), 'SELECT 1 ORDER BY 2'],
  ['wrongObjectType', E.wrongObjectType('"v" is not a table'), 'CREATE VIEW v AS SELECT 1; DROP TABLE v'],
  ['duplicateObject', E.duplicateObject('constraint "c1" for relation "t" already exists'), `${T} ALTER TABLE t ADD CONSTRAINT c1 CHECK (n > 1); ALTER TABLE t ADD CONSTRAINT c1 CHECK (n > 2)`],
  ['cardinalityViolation', E.cardinalityViolation('more than one row returned by a subquery used as an expression'), 'SELECT (SELECT 1 UNION ALL SELECT 2)'],
  ['inFailedSqlTransaction', E.inFailedSqlTransaction(), 'SELECT 1/0 -- then, as a separate query:\nSELECT 1'],
  ['readOnlySqlTransaction', E.readOnlySqlTransaction('INSERT'), `${T} SET TRANSACTION READ ONLY; INSERT INTO t VALUES (1, 'a')`],
  ['queryCanceled (statement_timeout wording)', E.queryCanceled('canceling statement due to statement timeout'), "SET LOCAL statement_timeout = '10ms'; SELECT pg_sleep(1)"],
];

describe('error constructors match PostgreSQL 15', () => {
  for (const [name, ours, sql] of CASES) {
    test(name, async () => {
      // Each case runs inside a transaction that is rolled back, so tables do not leak.
      await pg.error('BEGIN');
      let theirs = null;
      for (const part of sql.split(/-- then.*\n/)) theirs = await pg.error(part);
      await pg.error('ROLLBACK');
      expect(theirs).not.toBeNull();
      const want: Record<string, string> = { severity: theirs!.severity, code: theirs!.code, message: theirs!.message };
      const got: Record<string, string> = { severity: ours.severity ?? 'ERROR', code: ours.sqlstate, message: ours.message };
      if (ours.detail !== undefined) [want.detail, got.detail] = [theirs!.detail ?? '(none)', ours.detail];
      if (ours.hint !== undefined) [want.hint, got.hint] = [theirs!.hint ?? '(none)', ours.hint];
      expect(got).toEqual(want);
    });
  }
});

describe('errors PostgreSQL raises outside a single statement', () => {
  test('activeSqlTransaction and noActiveTransaction are warnings', () => {
    expect(E.activeSqlTransaction()).toMatchObject({ severity: 'WARNING', sqlstate: '25001' });
    expect(E.noActiveTransaction()).toMatchObject({ severity: 'WARNING', sqlstate: '25P01' });
  });
  test('featureNotSupported names the construct', () => {
    expect(E.featureNotSupported('LATERAL')).toEqual({ severity: 'ERROR', sqlstate: '0A000', message: 'LATERAL is not supported' });
  });
  test('uniqueViolation carries the constraint in the message and the field', () => {
    const e = E.uniqueViolation('documents_pkey');
    expect(e.message).toContain('constraint "documents_pkey"');
    expect(e.constraint).toBe('documents_pkey');
  });
  test('isPgError tells errors from values', () => {
    expect(E.isPgError(E.divisionByZero())).toBe(true);
    for (const v of [null, 1n, 'x', new Uint8Array(), [1n], true, 1.5]) expect(E.isPgError(v)).toBe(false);
  });
});
