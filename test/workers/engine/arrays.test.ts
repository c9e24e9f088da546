/** Arrays in expressions: `op ANY/ALL (array)` with PostgreSQL's three-valued results. */
import { describe, it } from 'vitest';
import { runGroup } from './harness.ts';

describe('ANY / ALL over arrays', () => {
  it('parameters, columns and literals; NULLs; inferred array types', () =>
    runGroup([
      { sql: 'CREATE TABLE p (id int8 PRIMARY KEY, name text, b bytea, tags text[])', tag: 'CREATE TABLE' },
      { sql: "INSERT INTO p VALUES (-1, 'a', '\\x01', '{x,y}'), (1800000000000000001, 'b', '\\x02', '{}'), (3, NULL, NULL, NULL)", tag: 'INSERT 0 3' },
      { sql: 'SELECT id FROM p WHERE id = ANY($1) ORDER BY id', paramOids: [1016], params: ['{-1,1800000000000000001}'], rows: [[-1n], [1800000000000000001n]] },
      { sql: 'SELECT id FROM p WHERE id = ANY($1) ORDER BY id', params: [[3n, 99n]], rows: [[3n]] },
      { sql: 'SELECT id FROM p WHERE name = ANY($1::text[]) ORDER BY id', params: [['b', null]], rows: [[1800000000000000001n]] },
      { sql: 'SELECT id FROM p WHERE b = ANY($1) ORDER BY id', paramOids: [1001], params: [[Uint8Array.from([2]), new Uint8Array(0)]], rows: [[1800000000000000001n]] },
      { sql: 'SELECT id FROM p WHERE id <> ALL($1) ORDER BY id', params: [[3n]], rows: [[-1n], [1800000000000000001n]] },
      { sql: "SELECT 'x' = ANY(tags), 'z' = ANY(tags), 'z' <> ALL(tags) FROM p ORDER BY id", rows: [[true, false, true], [null, null, null], [false, false, true]] },
      { sql: "SELECT 1 = ANY('{1,NULL}'::int4[]), 2 = ANY('{1,NULL}'::int4[]), 2 = ANY('{}'::int4[]), 2 = ALL('{}'::int4[]), 2 > ALL('{1,NULL}'::int4[]), 0 > ALL('{1,NULL}'::int4[])", rows: [[true, null, false, true, null, false]], oids: [16, 16, 16, 16, 16, 16] },
      { sql: 'SELECT NULL::int4 = ANY($1::int4[])', params: [[1n]], rows: [[null]] },
      { sql: 'SELECT 1 = ANY($1::int4[])', params: [null], rows: [[null]] },
      { sql: 'SELECT 1 = ANY(1)', code: '42809', message: 'op ANY/ALL (array) requires array on right side' },
      { sql: "SELECT name = ANY('{1}'::int4[]) FROM p", code: '42883' },
      { sql: 'SELECT 1 = ANY(ARRAY[1, 2]), 3 = ANY(ARRAY[1, NULL])', rows: [[true, null]] },
    ]));

  it('ARRAY constructors, unnest and generate_series in FROM', () =>
    runGroup([
      { sql: 'SELECT ARRAY[1, 2, NULL], ARRAY[true, false], ARRAY[3000000000, 1], ARRAY[\'a\', \'b"c\'], ARRAY[\'\\x01\'::bytea]', rows: [[[1n, 2n, null], [true, false], [3000000000n, 1n], ['a', 'b"c'], [Uint8Array.from([1])]]], oids: [1007, 1000, 1016, 1009, 1001] },
      { sql: 'SELECT ARRAY[]::int8[]', rows: [[[]]], oids: [1016] },
      { sql: 'SELECT ARRAY[]', code: '42P18' },
      { sql: 'SELECT x FROM unnest(ARRAY[3, 1, 2]) AS x ORDER BY x', rows: [[1n], [2n], [3n]], oids: [23], names: ['x'] },
      { sql: 'SELECT * FROM unnest(ARRAY[\'b\', \'a\'])', rows: [['b'], ['a']], names: ['unnest'] },
      { sql: 'SELECT u.v FROM unnest($1::int8[]) AS u(v)', params: [[1800000000000000001n, -1n]], rows: [[1800000000000000001n], [-1n]] },
      { sql: 'CREATE TABLE arr (id int4, tags text[])', tag: 'CREATE TABLE' },
      { sql: 'INSERT INTO arr VALUES (1, ARRAY[\'x\', \'y\']), (2, $1)', params: [['z']], tag: 'INSERT 0 2' },
      { sql: 'SELECT id, tags FROM arr ORDER BY id', rows: [[1n, ['x', 'y']], [2n, ['z']]], oids: [23, 1009] },
      { sql: 'SELECT count(*) FROM arr, unnest(ARRAY[1, 2])', rows: [[4n]] },
      { sql: 'SELECT * FROM generate_series(1, 3)', rows: [[1n], [2n], [3n]], oids: [23], names: ['generate_series'] },
      { sql: 'SELECT g FROM generate_series(5, 1, -2) AS g', rows: [[5n], [3n], [1n]] },
      { sql: 'SELECT count(*) FROM generate_series(3, 1)', rows: [[0n]] },
      { sql: 'SELECT sum(n) FROM generate_series(1, $1::int8) AS n', params: [100n], rows: [['5050']], oids: [1700] },
      { sql: 'SELECT * FROM generate_series(1, 3, 0)', code: '22023' },
      { sql: 'SELECT * FROM json_each(\'[]\')', code: '0A000' },
    ]));
});

describe('collecting aggregates', () => {
  it('string_agg and array_agg, ordered inside the call', () =>
    runGroup([
      { sql: 'CREATE TABLE e (g int4, name text, n int8, ok bool)', tag: 'CREATE TABLE' },
      { sql: "INSERT INTO e VALUES (1, 'b', 2, true), (1, 'a', NULL, false), (2, 'c', 3000000000000, NULL)", tag: 'INSERT 0 3' },
      { sql: "SELECT g, string_agg(name, ', ' ORDER BY name) FROM e GROUP BY g ORDER BY g", rows: [[1n, 'a, b'], [2n, 'c']], oids: [23, 25] },
      { sql: 'SELECT array_agg(n ORDER BY name DESC), array_agg(ok ORDER BY name) FROM e', rows: [[[3000000000000n, 2n, null], [false, true, null]]], oids: [1016, 1000] },
      { sql: 'SELECT array_agg(name), string_agg(name, $1) FROM e WHERE g = 9', params: ['-'], rows: [[null, null]], oids: [1009, 25] },
      { sql: "SELECT g FROM e GROUP BY g HAVING string_agg(name, '' ORDER BY name DESC) = 'ba'", rows: [[1n]] },
      { sql: 'SELECT string_agg(n, 1) FROM e', code: '42883' },
    ]));
});
