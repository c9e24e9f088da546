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
      { sql: 'SELECT 1 = ANY(1)', code: '42809' },
      { sql: "SELECT name = ANY('{1}'::int4[]) FROM p", code: '42883' },
      { sql: 'SELECT 1 = ANY(ARRAY[1, 2])', code: '0A000' },
    ]));
});
