/**
 * @module Parameterised statements sent with unspecified parameter types, as Convex's driver
 * does: the server infers each type from context, and the text values must parse as it.
 */
import { type Group, q, SKIP } from './case.ts';

const row1 = ['1800000000000000001', 'a', '\\xdeadbeef', 'true', '1.5', '2024-01-01 00:00:00+00'];
const row2 = ['-1', null, '\\x', 'false', null, null];

export const params: Group = {
  name: 'params',
  cases: [
    q('create', 'CREATE TABLE p (id int8 PRIMARY KEY, name text, data bytea, flag bool, n numeric, ts timestamptz)'),
    q('insert all types', 'INSERT INTO p VALUES ($1, $2, $3, $4, $5, $6)', { params: row1 }),
    q('insert -1, NULLs, empty bytea', 'INSERT INTO p VALUES ($1, $2, $3, $4, $5, $6)', { params: row2 }),
    q('insert RETURNING', 'INSERT INTO p (id, name) VALUES ($1, $2) RETURNING id, name', { params: ['9223372036854775807', 'max'] }),
    q('insert min int8', 'INSERT INTO p (id, name) VALUES ($1, $2)', { params: ['-9223372036854775807', 'min'] }),
    q('select all', 'SELECT * FROM p ORDER BY id'),
    q('int8 key lookup', 'SELECT name, data FROM p WHERE id = $1', { params: ['1800000000000000001'] }),
    q('int8 range', 'SELECT id FROM p WHERE id > $1 ORDER BY id', { params: ['-2'] }),
    q('bytea equality, empty', 'SELECT id FROM p WHERE data = $1', { params: ['\\x'] }),
    q('bool parameter', 'SELECT count(*) FROM p WHERE flag = $1', { params: ['true'] }),
    q('same parameter twice', 'SELECT id FROM p WHERE id = $1 OR id = $1 + 1 ORDER BY id', { params: ['-2'] }),
    q('NULL parameter', 'SELECT id FROM p WHERE name = $1', { params: [null] }),
    q('cast parameter', 'SELECT $1::int8 + 1', { params: ['41'] }),
    q('uncast parameter is text', 'SELECT $1', { params: ['x'] }),
    q('concatenation infers text', 'SELECT $1::text || $2', { params: ['a', 'b'] }),
    q('parameter in LIMIT', 'SELECT id FROM p ORDER BY id LIMIT $1', { params: ['2'] }),
    q('parameter in OFFSET', 'SELECT id FROM p ORDER BY id LIMIT $1 OFFSET $2', { params: ['2', '1'] }),
    q('bytea cast parameter', 'SELECT $1::bytea', { params: ['\\x0001'] }),
    q('jsonb parameter', "SELECT $1::jsonb -> 'a'", { params: ['{"a": [1, 2]}'], skip: SKIP.jsonOps }),
    q('BIGINT alias', 'SELECT $1::BIGINT AS query_ts', { params: ['1800000000000000001'] }),
    q('row-value comparison', 'SELECT id FROM p WHERE (id, name) > ($1, $2) ORDER BY id', { params: ['-1', 'a'] }),
    q('update count', 'UPDATE p SET name = $2 WHERE id = $1', { params: ['-1', 'minus one'] }),
    q('upsert excluded', 'INSERT INTO p (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name RETURNING name', { params: ['-1', 'upserted'] }),
    q('delete', 'DELETE FROM p WHERE id = $1', { params: ['9223372036854775807'] }),
    q('bad int8 text', 'SELECT id FROM p WHERE id = $1', { params: ['abc'], error: '22P02' }),
    q('int8 out of range', 'INSERT INTO p (id) VALUES ($1)', { params: ['9223372036854775808'], error: '22003' }),
    q('bad bool text', 'SELECT count(*) FROM p WHERE flag = $1', { params: ['perhaps'], error: '22P02' }),
    q('ANY(array parameter)', 'SELECT id FROM p WHERE id = ANY($1) ORDER BY id', { params: ['{-1,1800000000000000001}'] }),
    q('final state', 'SELECT id, name, n FROM p ORDER BY id'),
    // After the final state: when skipped, it must not change what later statements see.
    q('conditional update count', 'UPDATE p SET n = $1 WHERE id = 1800000000000000001 AND n < $1', { params: ['2'], skip: SKIP.numericOps }),
  ],
};
