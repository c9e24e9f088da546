/** Parameter type inference where PostgreSQL's choice is not simply the other side's type. */
import { describe, it } from 'vitest';
import { runGroup } from './harness.ts';

describe('parameter inference', () => {
  it('varchar compares as text; INSERT … SELECT takes the target types', () =>
    runGroup([
      { sql: 'CREATE TABLE inf (id int8 PRIMARY KEY, name text, v varchar(10), c int4)', tag: 'CREATE TABLE' },
      { sql: 'INSERT INTO inf (id, v) VALUES ($1, $2)', paramOids: [20, 1043], params: [1n, 'short'], tag: 'INSERT 0 1' },
      { sql: 'SELECT id FROM inf WHERE v = $1', paramOids: [25], params: ['short'], rows: [[1n]] },
      { sql: 'SELECT id FROM inf WHERE $1 = v OR v IN ($2) OR v BETWEEN $3 AND $4', paramOids: [25, 25, 25, 25] },
      { sql: 'SELECT coalesce($1, v) FROM inf', paramOids: [1043] },
      { sql: 'INSERT INTO inf (id, name) SELECT $1, $2', paramOids: [20, 25], params: [3n, 'cid'], tag: 'INSERT 0 1' },
      { sql: 'INSERT INTO inf (id, c) SELECT $1, $2 UNION ALL SELECT 9, 9', paramOids: [20, 23], params: [4n, 4n], tag: 'INSERT 0 2' },
      { sql: 'SELECT $1 UNION SELECT 1', paramOids: [23], params: [2n], rows: [[1n], [2n]] },
      { sql: 'SELECT 1, $2 UNION ALL SELECT $1, $3::int8', paramOids: [23, 20, 20] },
      { sql: 'SELECT $1 UNION SELECT $2', paramOids: [25, 25] },
      { sql: 'SELECT id, name FROM inf WHERE id = 3', rows: [[3n, 'cid']] },
      { sql: 'SELECT NULLIF(c, 1), NULLIF(1, 2) AS n FROM inf WHERE id = 1', names: ['nullif', 'n'], rows: [[null, 1n]] },
    ]));
});
