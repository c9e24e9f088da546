/** JOIN … USING and NATURAL JOIN: merged columns, `*` order, qualified access, errors. */
import { describe, it } from 'vitest';
import { runGroup } from './harness.ts';

describe('JOIN USING / NATURAL', () => {
  it('merges the joined columns as PostgreSQL does', () =>
    runGroup([
      { sql: 'CREATE TABLE a (id int4, x text)', tag: 'CREATE TABLE' },
      { sql: 'CREATE TABLE b (id int8, y text, x text)', tag: 'CREATE TABLE' },
      { sql: "INSERT INTO a VALUES (1, 'a1'), (2, 'a2')", tag: 'INSERT 0 2' },
      { sql: "INSERT INTO b VALUES (2, 'b2', 'a2'), (3, 'b3', 'zz')", tag: 'INSERT 0 2' },
      { sql: 'SELECT * FROM a JOIN b USING (id)', rows: [[2n, 'a2', 'b2', 'a2']], names: ['id', 'x', 'y', 'x'], oids: [20, 25, 25, 25] },
      { sql: 'SELECT id, a.id, b.id FROM a LEFT JOIN b USING (id) ORDER BY id', rows: [[1n, 1n, null], [2n, 2n, 2n]], oids: [20, 23, 20] },
      { sql: 'SELECT id, y FROM a RIGHT JOIN b USING (id) ORDER BY id', rows: [[2n, 'b2'], [3n, 'b3']] },
      { sql: 'SELECT id FROM a FULL JOIN b USING (id) ORDER BY id', rows: [[1n], [2n], [3n]] },
      { sql: 'SELECT * FROM a NATURAL JOIN b', rows: [[2n, 'a2', 'b2']], names: ['id', 'x', 'y'] },
      { sql: 'SELECT a.*, y FROM a JOIN b USING (id, x)', rows: [[2n, 'a2', 'b2']], names: ['id', 'x', 'y'] },
      { sql: 'SELECT count(*) FROM a JOIN b USING (id) JOIN a AS c USING (id)', rows: [[1n]] },
      { sql: 'SELECT id, count(*) FROM a JOIN b USING (id) GROUP BY id', rows: [[2n, 1n]] },
      { sql: 'SELECT * FROM a JOIN b USING (nope)', code: '42703', message: 'column "nope" specified in USING clause does not exist in left table' },
      { sql: 'SELECT * FROM a JOIN b USING (y)', code: '42703', message: 'column "y" specified in USING clause does not exist in left table' },
      { sql: 'SELECT * FROM (a JOIN b ON true) JOIN b AS c USING (id)', code: '42702' },
      { sql: 'SELECT x FROM a JOIN b USING (id)', code: '42702' },
    ]));
});
