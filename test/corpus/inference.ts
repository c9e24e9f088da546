/**
 * @module Parameter type inference, statement by statement: the harness describes each one
 * (Parse with unspecified types) on both ends and compares the inferred OIDs, then runs it.
 * Convex's driver refuses to bind a value whose Rust type disagrees with the inferred OID.
 */
import { type Group, q, SKIP } from './case.ts';

export const inference: Group = {
  name: 'inference',
  cases: [
    q('create', 'CREATE TABLE inf (id int8 PRIMARY KEY, k int4, name text, v varchar(10), data bytea, flag bool, f float8, ts timestamptz, d date, u uuid)'),
    q('insert by column list', 'INSERT INTO inf (id, k, name, v, data, flag, f, ts, d, u) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', {
      params: ['1', '7', 'ann', 'short', '\\x01', 'true', '0.5', '2024-01-01 00:00:00+00', '2024-01-01', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    }),
    q('insert a second row, NULLs', 'INSERT INTO inf (id, k, name) VALUES ($1, $2, $3)', { params: ['2', null, null] }),
    q('IN list takes the column type', 'SELECT id FROM inf WHERE id IN ($1, $2) ORDER BY id', { params: ['1', '2'] }),
    q('int4 column', 'SELECT id FROM inf WHERE k = $1', { params: ['7'] }),
    q('arithmetic with an int4 literal', 'SELECT $1 + 1', { params: ['41'] }),
    q('same parameter, cast once', 'SELECT $1::int4, $1', { params: ['5'] }),
    q('CASE condition is bool', 'SELECT CASE WHEN $1 THEN 1 ELSE 0 END', { params: ['true'] }),
    q('COALESCE with a text column', 'SELECT coalesce($1, name) FROM inf ORDER BY id', { params: [null] }),
    q('LIKE pattern', 'SELECT id FROM inf WHERE name LIKE $1', { params: ['a%'], skip: SKIP.likeParameter }),
    q('varchar column compares as text', 'SELECT id FROM inf WHERE v = $1', { params: ['short'] }),
    q('timestamptz column', 'SELECT id FROM inf WHERE ts >= $1', { params: ['2023-12-31 23:00:00-02'] }),
    q('date column', 'SELECT id FROM inf WHERE d = $1', { params: ['2024-01-01'] }),
    q('uuid column', 'SELECT id FROM inf WHERE u = $1', { params: ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'] }),
    q('float8 column', 'SELECT id FROM inf WHERE f < $1', { params: ['1'] }),
    q('bool column, negated', 'SELECT id FROM inf WHERE NOT flag = $1', { params: ['false'] }),
    q('two unknowns compared', 'SELECT $1 = $2', { params: ['a', 'a'] }),
    q('greatest with an int4', 'SELECT greatest($1, 5)', { params: ['9'] }),
    q('update SET and WHERE', 'UPDATE inf SET name = $2, k = $3 WHERE id = $1', { params: ['2', 'bob', '8'] }),
    q('upsert with parameters in DO UPDATE', 'INSERT INTO inf (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = $3 RETURNING id, name', { params: ['1', 'x', 'ann2'] }),
    q('delete RETURNING', 'DELETE FROM inf WHERE id = $1 RETURNING name', { params: ['2'] }),
    q('undefined column stops the describe', 'SELECT nope FROM inf WHERE id = $1', { params: ['1'], error: '42703' }),
    q('bad text for the inferred type', 'SELECT id FROM inf WHERE u = $1', { params: ['not-a-uuid'], error: '22P02' }),
    q('final state', 'SELECT id, k, name, v, flag, f, ts, d, u FROM inf ORDER BY id'),
    // Last, so that if it fails, the final state above still compares on its own.
    q('INSERT … SELECT takes the target types', 'INSERT INTO inf (id, name) SELECT $1, $2', { params: ['3', 'cid'] }),
    q('row from INSERT … SELECT', 'SELECT id, name FROM inf WHERE id = 3'),
  ],
};
